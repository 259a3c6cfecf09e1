using Retrieval.Cli;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks the running command to stop gracefully (ingest stops waiting, the job goes on);
    // a second one terminates the process as usual.
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupt.Cancel();
    }
};

var context = CliContext.ForProcess();
return await CliApp.Create(context).RunAsync(args, interrupt.Token);
