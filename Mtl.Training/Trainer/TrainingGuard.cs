using System.Runtime.CompilerServices;

namespace Mtl.Training;

/// <summary>
/// Marks the objects a training run mutates (the model, its optimizer, the multi-task method) as in use by
/// the calling thread, so that a second run on another thread throws instead of interleaving its updates
/// with the first (two threads training one model silently give a different result every time). The same
/// thread may enter again for a non-exclusive use: an epoch callback may evaluate the model it is training,
/// but not start a second fit of it.
/// </summary>
/// <remarks>The marks live beside the objects, not in them, so models know nothing of trainers. Entering
/// costs a lock and a table lookup per object, once per fit or evaluation.</remarks>
internal static class TrainingGuard
{
    private static readonly ConditionalWeakTable<object, Owner> _owners = [];
    private static readonly Lock _lock = new();

    /// <summary>Marks <paramref name="targets"/> as used by this thread until the result is disposed.</summary>
    /// <param name="who">The caller for messages (<c>Trainer.Fit</c>).</param>
    /// <param name="exclusive">True for a use that must not nest in another even on this thread (a fit).</param>
    /// <param name="targets">The objects, with a description each for messages (<c>the model</c>).</param>
    /// <exception cref="InvalidOperationException">Another thread is using one of them, or this one is and the use is exclusive.</exception>
    public static Scope Enter(string who, bool exclusive, params ReadOnlySpan<(object? Target, string Description)> targets)
    {
        int thread = Environment.CurrentManagedThreadId;
        var owners = new Owner[targets.Length];
        lock (_lock)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                if (targets[i].Target is not { } target)
                {
                    continue;
                }

                var owner = _owners.GetOrCreateValue(target);
                if (owner.Depth > 0 && owner.Thread != thread)
                {
                    throw new InvalidOperationException(
                        $"{who}: {targets[i].Description} is in use by thread {owner.Thread} ({owner.Operation}), and this is thread {thread}. One model trains on one thread at a time: two runs at once would interleave their updates; wait for the other run, or train a separate model.");
                }

                if (owner.Depth > 0 && exclusive)
                {
                    throw new InvalidOperationException($"{who}: {targets[i].Description} is already in use by this thread ({owner.Operation}); a fit cannot start inside another one (from one of its callbacks).");
                }

                owners[i] = owner;
            }

            for (int i = 0; i < owners.Length; i++)
            {
                if (owners[i] is { } owner)
                {
                    if (owner.Depth++ == 0)
                    {
                        owner.Thread = thread;
                        owner.Operation = who;
                    }
                }
            }
        }

        return new Scope(owners);
    }

    /// <summary>Releases the marks of one <see cref="Enter"/>.</summary>
    public readonly struct Scope(Owner?[] owners) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var owner in owners)
                {
                    if (owner is not null)
                    {
                        owner.Depth--;
                    }
                }
            }
        }
    }

    /// <summary>Who uses an object, and how many nested entries it has.</summary>
    internal sealed class Owner
    {
        public int Thread { get; set; }

        public int Depth { get; set; }

        public string Operation { get; set; } = string.Empty;
    }
}
