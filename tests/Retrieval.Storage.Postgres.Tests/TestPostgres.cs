using System.Diagnostics;
using Npgsql;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>
/// The PostgreSQL server the tests use: <c>RETRIEVAL_TEST_POSTGRES</c> (an Npgsql connection string; .ci/run starts a
/// throwaway cluster with tests/scripts/pg-start.sh and sets it). When it is not set and PostgreSQL's binaries are
/// installed, the tests start such a cluster themselves with the same script and stop it when the test process exits.
/// Otherwise every PostgreSQL test fails with instructions: these tests are never skipped.
/// Each test works in a schema of its own (<see cref="NewSchemaName"/>), dropped afterwards.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "RETRIEVAL_TEST_POSTGRES";

    private static readonly Lazy<string> Server = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<NpgsqlDataSource> Admin = new(() => NpgsqlDataSource.Create(ConnectionString));

    public static string ConnectionString => Server.Value;

    public static string NewSchemaName() => "t_" + Guid.NewGuid().ToString("N");

    public static async Task DropSchemaAsync(string schema)
    {
        await using var command = Admin.Value.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs one scalar query in <paramref name="schema"/>.</summary>
    public static async Task<T> ScalarAsync<T>(string schema, string sql)
    {
        await using var connection = await Admin.Value.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SET search_path TO \"{schema}\"; {sql}", connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default! : (T)value!;
    }

    private static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var script = FindScript("pg-start.sh") ?? throw Unavailable("tests/scripts/pg-start.sh was not found above the test folder.");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw Unavailable("bash could not be started.");
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw Unavailable($"pg-start.sh exited with {process.ExitCode}: {errors.Trim()}");
        }

        var exports = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''), StringComparer.Ordinal);
        var directory = exports["RETRIEVAL_PG_DIR"];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(script, directory);
        return exports[Variable];
    }

    private static void Stop(string startScript, string directory)
    {
        var stop = Path.Combine(Path.GetDirectoryName(startScript)!, "pg-stop.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [stop, directory]) { RedirectStandardOutput = true, RedirectStandardError = true });
        process?.WaitForExit(30_000);
    }

    private static string? FindScript(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "scripts", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static InvalidOperationException Unavailable(string reason) => new(
        $"The PostgreSQL tests need a PostgreSQL server and none could be started ({reason}). Either install PostgreSQL " +
        "(Debian/Ubuntu: 'apt-get install -y postgresql') so the tests start a throwaway cluster themselves, or start one with " +
        $"'eval \"$(tests/scripts/pg-start.sh)\"' (stop it with tests/scripts/pg-stop.sh), or set {Variable} to an Npgsql " +
        "connection string of a database the tests may create schemas in.");
}
