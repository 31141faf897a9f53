namespace Mtl.Examples;

/// <summary>
/// <c>dotnet run -c Release --project Mtl.Examples -- [example] [--epochs N] [--seed S] [--out DIR] [--data DIR]</c>;
/// <c>-- --help</c> lists the examples.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => ExampleRunner.Run(args, Console.Out, Console.Error);
}
