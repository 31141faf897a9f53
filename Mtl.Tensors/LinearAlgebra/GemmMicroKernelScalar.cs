using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// Portable 4×4 micro-kernel for hardware without 256-bit FMA (it is also what a Vector128-only CPU
/// runs: a 128-bit tile would hold just 2 doubles per register and gains little over this). It uses a
/// separate multiply and add, because a fused multiply-add is emulated in software where FMA is absent.
/// </summary>
internal static unsafe class GemmMicroKernelScalar
{
    /// <summary>Rows of the tile.</summary>
    public const int Mr = 4;

    /// <summary>Columns of the tile.</summary>
    public const int Nr = 4;

    /// <summary>C[0..4, 0..4] (=|+=) Σ_p a[r·aRow + p·aStep]·b[p·bStep + j] over one KC slice.</summary>
    public static void Run<T>(int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* acc = stackalloc T[Mr * Nr];
        for (int i = 0; i < Mr * Nr; i++)
        {
            acc[i] = T.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Mr; r++)
            {
                T ar = a[r * aRow];
                for (int j = 0; j < Nr; j++)
                {
                    acc[(r * Nr) + j] += ar * b[j];
                }
            }

            a += aStep;
            b += bStep;
        }

        for (int r = 0; r < Mr; r++)
        {
            for (int j = 0; j < Nr; j++)
            {
                T* cij = c + (r * ldc) + j;
                *cij = store ? acc[(r * Nr) + j] : *cij + acc[(r * Nr) + j];
            }
        }
    }
}
