using Retrieval.Eval.Cli;
using Spectre.Console;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await EvalCli.RunAsync(args, AnsiConsole.Console, cancellation.Token);
