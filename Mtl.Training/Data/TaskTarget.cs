using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// One task's targets for N rows, with a mask: <see cref="Mask"/>[i] is 1 where row i has a target and
/// 0 where it is missing. A missing target never removes its row (the other tasks still learn from it)
/// and never becomes a real zero: masked regression values hold 0 and masked class indices hold -1,
/// both meaningless, so a loss must weight rows by the mask (<c>Ops.CrossEntropy(logits, Classes, Mask)</c>
/// does exactly that, and rejects a -1 on an unmasked row).
/// </summary>
public sealed class TaskTarget<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private TaskTarget(string name, TaskKind kind, Tensor<T>? values, int[]? classes, IReadOnlyList<string> classNames, Tensor<T> mask, Tensor<T>? attributeMask = null)
    {
        Name = name;
        Kind = kind;
        Values = values;
        Classes = classes;
        ClassNames = classNames;
        Mask = mask;
        AttributeMask = attributeMask;
    }

    /// <summary>The task's name (the CSV column it came from, or a name the builder chose).</summary>
    public string Name { get; }

    /// <summary>Regression, classification or multi-label.</summary>
    public TaskKind Kind { get; }

    /// <summary>Regression targets [N, 1], or multi-label targets [N, K] of 0 and 1; null for classification.</summary>
    public Tensor<T>? Values { get; }

    /// <summary>Class indices in [0, <see cref="ClassNames"/>.Count), -1 where masked; null for regression.</summary>
    public int[]? Classes { get; }

    /// <summary>Class names in index order (the attribute names for a multi-label task); empty for regression.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>1 where the row has a target, 0 where it is missing; shape [N]. For a multi-label task, 1 where
    /// the row has at least one known attribute.</summary>
    public Tensor<T> Mask { get; }

    /// <summary>For a multi-label task, [N, K]: 1 where attribute k of row i is known, 0 where it is missing;
    /// null when every attribute of every row with <see cref="Mask"/> 1 is known (and for other kinds).</summary>
    public Tensor<T>? AttributeMask { get; }

    /// <summary>The number of targets per row: K attributes for a multi-label task, otherwise 1.</summary>
    public int Width => Kind == TaskKind.MultiLabel ? ClassNames.Count : 1;

    /// <summary>Number of rows.</summary>
    public int Rows => Mask.Length;

    /// <summary>Number of rows whose mask is 1.</summary>
    public int PresentCount
    {
        get
        {
            int n = 0;
            foreach (T m in Mask.ReadOnlySpan)
            {
                n += m != T.Zero ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>A regression task from values [N, 1] (or [N]) and a mask [N]; the arrays are used, not copied.</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a present value is not finite.</exception>
    public static TaskTarget<T> Regression(string name, Tensor<T> values, Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(mask);
        if (values.Rank > 2 || (values.Rank == 2 && values.Shape[1] != 1))
        {
            throw new ArgumentException($"Task '{name}': regression values must be [N, 1] or [N], not {values.Shape}; for K binary attributes of each row in one head use TaskTarget.MultiLabel.", nameof(values));
        }

        CheckMask(name, mask, values.Length);
        var v = values.Rank == 2 ? values : values.Reshape(values.Length, 1);

        for (int i = 0; i < v.Length; i++)
        {
            if (mask[i] != T.Zero && !T.IsFinite(v[i]))
            {
                throw new ArgumentException($"Task '{name}': row {i} has the non-finite target {v[i]}.", nameof(values));
            }
        }

        return new TaskTarget<T>(name, TaskKind.Regression, v, null, [], mask);
    }

    /// <summary>A regression task from values [N, 1] (or [N]) without a mask: a NaN value is a missing target
    /// (mask 0, value 0 in a copy; the caller's tensor is not changed), every other row is present.</summary>
    /// <exception cref="ArgumentException">The values are not [N] or [N, 1], or one is infinite.</exception>
    public static TaskTarget<T> Regression(string name, Tensor<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var mask = new Tensor<T>(values.Length);
        var m = mask.Span;
        var v = values.ReadOnlySpan;
        bool anyNaN = false;
        for (int i = 0; i < v.Length; i++)
        {
            bool present = !T.IsNaN(v[i]);
            m[i] = present ? T.One : T.Zero;
            anyNaN |= !present;
        }

        if (anyNaN)
        {
            values = values.Clone();
            var c = values.Span;
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = T.IsNaN(c[i]) ? T.Zero : c[i];
            }
        }

        return Regression(name, values, mask);
    }

    /// <summary>A classification task from class indices without a mask: −1 is a missing label, every other row is present.</summary>
    /// <exception cref="ArgumentException">An index is outside [−1, classNames.Count).</exception>
    public static TaskTarget<T> Classification(string name, int[] classes, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var mask = new Tensor<T>(classes.Length);
        var m = mask.Span;
        for (int i = 0; i < classes.Length; i++)
        {
            if (classes[i] < -1)
            {
                throw new ArgumentException($"Task '{name}': row {i} has class {classes[i]}; use -1 for a missing label.", nameof(classes));
            }

            m[i] = classes[i] >= 0 ? T.One : T.Zero;
        }

        return Classification(name, classes, classNames, mask);
    }

    /// <summary>A classification task of <paramref name="classCount"/> classes named "0", "1", …, without a mask (−1 is missing).</summary>
    /// <exception cref="ArgumentException">An index is outside [−1, classCount), or classCount is below 1.</exception>
    public static TaskTarget<T> Classification(string name, int[] classes, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        return Classification(name, classes, [.. Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>A classification task from class indices and a mask [N]; the arrays are used, not copied.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, or a present index is outside the classes.</exception>
    public static TaskTarget<T> Classification(string name, int[] classes, IReadOnlyList<string> classNames, Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(mask);
        CheckMask(name, mask, classes.Length);
        for (int i = 0; i < classes.Length; i++)
        {
            if (mask[i] != T.Zero && (uint)classes[i] >= (uint)classNames.Count)
            {
                throw new ArgumentException($"Task '{name}': row {i} has class {classes[i]}, outside [0, {classNames.Count}).", nameof(classes));
            }
        }

        return new TaskTarget<T>(name, TaskKind.Classification, null, classes, classNames, mask);
    }

    /// <summary>
    /// A multi-label task: K binary attributes per row, predicted by one head of K logits (trained with
    /// <c>BceWithLogitsLoss</c>). Each attribute may be missing on its own: <paramref name="attributeMask"/>
    /// [N, K] is 1 where attribute k of row i is known and 0 where it is not (null: all known); a row with no
    /// known attribute is masked out of the task, and a missing attribute adds nothing to the loss, its gradient
    /// or the metrics. The tensors are used, not copied.
    /// </summary>
    /// <param name="name">The task's name.</param>
    /// <param name="values">[N, K] targets, 0 or 1 where known (anything finite where missing).</param>
    /// <param name="attributeNames">The K attribute names, in column order.</param>
    /// <param name="attributeMask">[N, K] of 0 and 1, or null when every attribute is known.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or a known value is not 0 or 1, or a mask entry is not 0 or 1.</exception>
    public static TaskTarget<T> MultiLabel(string name, Tensor<T> values, IReadOnlyList<string> attributeNames, Tensor<T>? attributeMask = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(attributeNames);
        if (values.Rank != 2 || values.Shape[1] != attributeNames.Count || attributeNames.Count == 0)
        {
            throw new ArgumentException($"Task '{name}': multi-label values must be [N, K] with K = {attributeNames.Count} attribute names, not {values.Shape}.", nameof(values));
        }

        if (attributeMask is not null && attributeMask.Shape != values.Shape)
        {
            throw new ArgumentException($"Task '{name}': the attribute mask has shape {attributeMask.Shape}; it must be the values' {values.Shape}.", nameof(attributeMask));
        }

        int rows = values.Shape[0], k = values.Shape[1];
        var mask = new Tensor<T>(rows);
        for (int i = 0; i < rows; i++)
        {
            bool any = false;
            for (int a = 0; a < k; a++)
            {
                T known = attributeMask is null ? T.One : attributeMask[i, a];
                if (known != T.Zero && known != T.One)
                {
                    throw new ArgumentException($"Task '{name}': the attribute mask at row {i}, attribute '{attributeNames[a]}' is {known}; it must be 0 (missing) or 1 (known).", nameof(attributeMask));
                }

                if (known == T.One && values[i, a] != T.Zero && values[i, a] != T.One)
                {
                    throw new ArgumentException($"Task '{name}': row {i}, attribute '{attributeNames[a]}' is {values[i, a]}; a known attribute must be 0 or 1 (mask it if it is missing).", nameof(values));
                }

                any |= known == T.One;
            }

            mask[i] = any ? T.One : T.Zero;
        }

        return new TaskTarget<T>(name, TaskKind.MultiLabel, values, null, [.. attributeNames], mask, attributeMask);
    }

    /// <summary>An empty target of the same task with room for <paramref name="rows"/> rows (a batch buffer).</summary>
    public TaskTarget<T> Allocate(int rows) => new(
        Name,
        Kind,
        Values is null ? null : new Tensor<T>(rows, Width),
        Classes is null ? null : new int[rows],
        ClassNames,
        new Tensor<T>(rows),
        AttributeMask is null ? null : new Tensor<T>(rows, Width));

    /// <summary>Rows <paramref name="rows"/> of this target, in that order, as a new target.</summary>
    public TaskTarget<T> Gather(ReadOnlySpan<int> rows)
    {
        var result = Allocate(rows.Length);
        GatherInto(rows, result);
        return result;
    }

    /// <summary>Copies rows <paramref name="rows"/> into <paramref name="destination"/>, which must have exactly that many rows.</summary>
    public void GatherInto(ReadOnlySpan<int> rows, TaskTarget<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Rows != rows.Length || destination.Kind != Kind || destination.Width != Width || (destination.AttributeMask is null) != (AttributeMask is null))
        {
            throw new ArgumentException($"Task '{Name}': the destination has {destination.Rows} {destination.Kind} rows, not {rows.Length} {Kind} rows.", nameof(destination));
        }

        var mask = Mask.ReadOnlySpan;
        var maskOut = destination.Mask.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            maskOut[i] = mask[rows[i]];
        }

        if (Values is not null)
        {
            Tensor.GatherInto(Values, rows, destination.Values!);
        }

        if (AttributeMask is not null)
        {
            Tensor.GatherInto(AttributeMask, rows, destination.AttributeMask!);
        }

        if (Classes is not null)
        {
            var d = destination.Classes!;
            for (int i = 0; i < rows.Length; i++)
            {
                d[i] = Classes[rows[i]];
            }
        }
    }

    private static void CheckMask(string name, Tensor<T> mask, int rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (mask.Rank != 1 || mask.Length != rows)
        {
            throw new ArgumentException($"Task '{name}': the mask has shape {mask.Shape} but there are {rows} rows; it must be [{rows}].", nameof(mask));
        }
    }
}
