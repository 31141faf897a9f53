namespace Mtl.Training;

/// <summary>What a task predicts; loss weighting schemes that model the likelihood (uncertainty weighting)
/// treat the two kinds differently.</summary>
public enum TaskKind
{
    /// <summary>Real-valued targets (a Gaussian or Laplace likelihood).</summary>
    Regression,

    /// <summary>Class labels or binary attributes (a softmax or sigmoid likelihood).</summary>
    Classification,
}
