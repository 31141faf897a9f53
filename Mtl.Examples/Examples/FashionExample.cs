namespace Mtl.Examples;

public sealed class FashionExample : IExample
{
    public string Name => "fashion";

    public string Summary => "todo";

    public int DefaultEpochs => 1;

    public void Run(ExampleContext context) => throw new NotSupportedException();
}
