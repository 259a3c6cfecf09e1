namespace Retrieval.Fuzz;

/// <summary>Runs saved inputs (crashes, hangs, the corpus) once each and reports what happened, for triage.</summary>
internal static class Replay
{
    public static int Run(IFuzzTarget target, IEnumerable<string> paths)
    {
        int findings = 0;
        foreach (var file in paths.SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [p]))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                string outcome = target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok       {watch.ElapsedMilliseconds,6} ms  {file}  {outcome}");
            }
            catch (Exception ex)
            {
                findings++;
                Console.WriteLine($"FINDING  {watch.ElapsedMilliseconds,6} ms  {file}\n{ex}");
            }
        }

        return findings == 0 ? 0 : 1;
    }
}
