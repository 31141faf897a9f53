namespace Mtl.Training.Weighting;

/// <summary>Where the per-task gradients a gradient-level method combines are taken.</summary>
public enum TaskGradientSpace
{
    /// <summary>
    /// On the shared parameters θ: row t is ∇_θ Jₜ, exact, from one backward pass through the whole model per task
    /// (LibMTL's default, torchjd's Jacobian). A step costs about T times a plain step's backward.
    /// </summary>
    Parameters,

    /// <summary>
    /// On the shared representation z = f(x) the heads read: row t is ∇_z Jₜ (a backward through task t's head
    /// only); the combination d is pushed through the trunk once (the vector-Jacobian product dᵀ·∂z/∂θ). LibMTL's
    /// <c>rep_grad</c>: the trunk is walked once whatever T is, and the methods see [batch·width]-long rows. It
    /// is a different method, not an approximation of the same one, except for linear combinations (weights, or
    /// the plain sum), which commute with the trunk's Jacobian and give the same update in both spaces.
    /// </summary>
    Representation,
}
