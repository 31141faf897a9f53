namespace Mtl.Examples;

public sealed class PenguinsExample : IExample
{
    public string Name => "penguins";

    public string Summary => "todo";

    public int DefaultEpochs => 1;

    public void Run(ExampleContext context) => throw new NotSupportedException();
}
