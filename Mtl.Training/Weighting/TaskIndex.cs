using System.Numerics;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>Matches task losses to a scheme's task list by name, with errors that list the known tasks.</summary>
internal static class TaskIndex
{
    /// <summary>The distinct, non-empty task names of a scheme.</summary>
    public static string[] Validate(string scheme, IEnumerable<string> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var list = tasks.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"{scheme}: no tasks given.", nameof(tasks));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (string.IsNullOrEmpty(t) || !seen.Add(t))
            {
                throw new ArgumentException($"{scheme}: task names must be non-empty and distinct (got: {string.Join(", ", list)}).", nameof(tasks));
            }
        }

        return list;
    }

    /// <summary>Throws unless a scheme's tasks are exactly the trainer's (in any order).</summary>
    public static void Bind<T>(string scheme, IReadOnlyList<string> tasks, MultiTaskSetup<T> setup)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(setup);
        foreach (var task in setup.Tasks)
        {
            if (IndexOf(tasks, task) < 0)
            {
                throw new ArgumentException($"{scheme}: no weight for task '{task}', which the trainer trains (the weighting's tasks: {string.Join(", ", tasks)}).", nameof(setup));
            }
        }

        foreach (var task in tasks)
        {
            if (IndexOf(setup.Tasks, task) < 0)
            {
                throw new ArgumentException($"{scheme}: task '{task}' is not trained by the trainer (its tasks: {string.Join(", ", setup.Tasks)}).", nameof(setup));
            }
        }
    }

    /// <summary>For each loss, the position of its task in <paramref name="tasks"/>.</summary>
    public static int[] Of<T>(string scheme, IReadOnlyList<string> tasks, IReadOnlyList<TaskLoss<T>> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count == 0)
        {
            throw new ArgumentException($"{scheme}: no task losses given.", nameof(losses));
        }

        var at = new int[losses.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < losses.Count; i++)
        {
            var (task, loss) = losses[i];
            ArgumentNullException.ThrowIfNull(loss);
            if (!seen.Add(task))
            {
                throw new ArgumentException($"{scheme}: task '{task}' has two losses.", nameof(losses));
            }

            at[i] = IndexOf(tasks, task);
            if (at[i] < 0)
            {
                throw new ArgumentException($"{scheme}: no task named '{task}' (have: {string.Join(", ", tasks)}).", nameof(losses));
            }
        }

        return at;
    }

    public static int IndexOf(IReadOnlyList<string> tasks, string task)
    {
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks[i] == task)
            {
                return i;
            }
        }

        return -1;
    }
}
