using Retrieval.Cli.Commands;
using Retrieval.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace Retrieval.Cli;

/// <summary>The <c>retrieval</c> command tree.</summary>
public static class CliApp
{
    public static CommandApp Create(CliContext context)
    {
        var app = new CommandApp();
        app.Configure(config => Configure(config, context));
        return app;
    }

    public static void Configure(IConfigurator config, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);

        config.SetApplicationName("retrieval");
        config.ConfigureConsole(context.Out);
        config.Settings.Registrar.RegisterInstance(context);
        config.UseStrictParsing();
        config.CancellationExitCode(ExitCodes.Interrupted);
        config.SetExceptionHandler((exception, _) => ErrorReporter.Report(context.Error, exception));

        config.AddCommand<TokenCommand>("token")
            .WithDescription("Mint a development token from the service's local identity (prints only the token).")
            .WithExample("token", "--user", "alice", "--groups", "eng,ops", "--roles", "reader,ingestor");

        config.AddCommand<IngestCommand>("ingest")
            .WithDescription("Upload files and folders (or send server paths) for ingestion and follow the job.")
            .WithExample("ingest", "./docs", "--acl", "group:eng")
            .WithExample("ingest", "/srv/share/handbook", "--server", "--acl", "public");

        config.AddBranch("jobs", jobs =>
        {
            jobs.SetDescription("Inspect and cancel ingestion jobs.");
            jobs.AddCommand<JobsListCommand>("list").WithDescription("List ingestion jobs.");
            jobs.AddCommand<JobsShowCommand>("show").WithDescription("Show one job with its per-document errors.");
            jobs.AddCommand<JobsCancelCommand>("cancel").WithDescription("Cancel a queued or running job.");
        });

        config.AddCommand<SearchCommand>("search")
            .WithDescription("Search the chunks the caller may read.")
            .WithExample("search", "\"rotate signing keys\"", "--top-k", "5", "--mode", "hybrid");

        config.AddCommand<AskCommand>("ask")
            .WithDescription("Ask a question; prints a grounded answer with citations, or the reason it abstained.")
            .WithExample("ask", "\"How do I rotate the signing key?\"");

        config.AddBranch("documents", documents =>
        {
            documents.SetDescription("Inspect and delete ingested documents.");
            documents.AddCommand<DocumentsShowCommand>("show").WithDescription("Show a document's metadata.");
            documents.AddCommand<DocumentsDeleteCommand>("delete").WithDescription("Delete a document and everything derived from it.");
        });

        config.AddCommand<HealthCommand>("health")
            .WithDescription("Check whether the service is ready.");
    }
}
