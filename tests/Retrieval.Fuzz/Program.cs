using Retrieval.Fuzz;

// Retrieval.Fuzz <target>                  run under afl-fuzz (SharpFuzz fork server; input on stdin / shared memory)
// Retrieval.Fuzz <target> <file|dir>...    replay inputs once each and report the outcome (triage, regression)
// Retrieval.Fuzz seeds <dir>               write the seed corpora, one folder per target
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Retrieval.Fuzz <{string.Join('|', FuzzTargets.Names)}> [input files or folders...] | seeds <dir>");
    return 2;
}

if (args[0] == "seeds")
{
    SeedCorpus.Write(args.Length > 1 ? args[1] : "corpus");
    return 0;
}

if (!FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

if (args.Length > 1)
{
    return Replay.Run(FuzzTargets.Create(args[0])!, args[1..]);
}

// Instrumented code must not run before Fuzzer.Run has mapped AFL's coverage memory: build the target on first input.
IFuzzTarget? target = null;
SharpFuzz.Fuzzer.Run(stream =>
{
    target ??= FuzzTargets.Create(args[0])!;
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.ToArray());
});
return 0;
