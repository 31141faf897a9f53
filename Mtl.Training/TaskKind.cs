namespace Mtl.Training;

/// <summary>What a task predicts; loss weighting schemes that model the likelihood (uncertainty weighting)
/// treat the two kinds differently.</summary>
public enum TaskKind
{
    /// <summary>Real-valued targets (a Gaussian or Laplace likelihood).</summary>
    Regression,

    /// <summary>Class labels, one per row (a softmax likelihood, or a sigmoid for a single binary logit).</summary>
    Classification,

    /// <summary>K binary attributes per row in one head (multi-label: K independent sigmoid likelihoods), each
    /// attribute with its own mask.</summary>
    MultiLabel,
}
