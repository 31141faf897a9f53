using Mtl.Tensors;

namespace Mtl.Training;

// Keeping and restoring the best epoch's parameters for early stopping.
public sealed partial class Trainer<T>
{
    private Tensor<T>[] Snapshot(Tensor<T>[]? into)
    {
        var parameters = _module.Parameters().ToArray();
        into ??= parameters.Select(p => new Tensor<T>(p.Shape)).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i].Data.CopyTo(into[i]);
        }

        return into;
    }

    private void Restore(Tensor<T>[] saved)
    {
        var parameters = _module.Parameters().ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            saved[i].CopyTo(parameters[i].Data);
        }
    }
}
