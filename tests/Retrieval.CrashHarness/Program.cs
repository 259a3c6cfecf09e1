using Retrieval.CrashHarness;

// Exit codes: 0 no loss and no violation, 1 losses or violations found, 2 the harness could not run.
if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(HarnessOptions.Usage);
    return 0;
}

try
{
    var options = HarnessOptions.Parse(args);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };

    var result = await CrashRun.RunAsync(options, Console.Out, cancel.Token);
    Console.WriteLine(result.Summary);
    foreach (var finding in result.Findings)
    {
        Console.WriteLine("  " + finding);
    }

    if (!result.Passed)
    {
        Console.WriteLine($"  the store is kept in {result.WorkDirectory} (rerun with --seed {result.Seed} to repeat the run's choices)");
    }

    return result.Passed ? 0 : 1;
}
catch (HarnessException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 2;
}
