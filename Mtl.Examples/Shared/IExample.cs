namespace Mtl.Examples;

/// <summary>One runnable example.</summary>
public interface IExample
{
    /// <summary>The name on the command line.</summary>
    string Name { get; }

    /// <summary>One line for the list of examples.</summary>
    string Summary { get; }

    /// <summary>Epochs when <c>--epochs</c> is not given.</summary>
    int DefaultEpochs { get; }

    /// <summary>Runs the example, printing to <see cref="ExampleContext.Out"/>.</summary>
    void Run(ExampleContext context);
}
