namespace Mtl.Examples;

public sealed class InspectExample : IExample
{
    public string Name => "inspect";

    public string Summary => "todo";

    public int DefaultEpochs => 1;

    public void Run(ExampleContext context) => throw new NotSupportedException();
}
