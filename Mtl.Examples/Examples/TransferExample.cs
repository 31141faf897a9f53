namespace Mtl.Examples;

public sealed class TransferExample : IExample
{
    public string Name => "transfer";

    public string Summary => "todo";

    public int DefaultEpochs => 1;

    public void Run(ExampleContext context) => throw new NotSupportedException();
}
