namespace Retrieval.CrashHarness;

/// <summary>One state a document may be in: absent, or present with these paragraph markers (and, when the service said so, this version and chunk count).</summary>
internal sealed record DocVersion(bool Present, IReadOnlyList<string> Markers, int? Version, int? Chunks)
{
    public static readonly DocVersion Absent = new(false, [], null, null);
}

/// <summary>
/// What the harness knows about one document id. <see cref="Known"/> is set when the service acknowledged the state
/// (201, 204, or the document's job reported <c>succeeded</c>); while an operation's outcome is unknown (the process was
/// killed before it answered), <see cref="Candidates"/> lists the states it may be in, and the next store check decides.
/// </summary>
internal sealed class TrackedDoc
{
    public TrackedDoc(string tenant, string id, int client, bool viaJob)
    {
        Tenant = tenant;
        Id = id;
        Client = client;
        ViaJob = viaJob;
    }

    public string Tenant { get; }

    public string Id { get; }

    public int Client { get; }

    public bool ViaJob { get; }

    /// <summary>The acknowledged (or observed and settled) state; null while uncertain.</summary>
    public DocVersion? Known { get; set; }

    /// <summary>The states an unanswered operation may have left; null when <see cref="Known"/> holds.</summary>
    public IReadOnlyList<DocVersion>? Candidates { get; set; }

    /// <summary>Set while a job that writes this document may still run (the submission's answer was lost, or the job is not finished).</summary>
    public bool MayStillChange { get; set; }

    /// <summary>Whether the service ever acknowledged a state of this document (only those can be "lost").</summary>
    public bool Acknowledged { get; set; }

    /// <summary>Markers of versions that were replaced, deleted, or never committed: they must never be found in this document again.</summary>
    public HashSet<string> RetiredMarkers { get; } = new(StringComparer.Ordinal);

    /// <summary>The cycle of the last acknowledged change (the API checks re-verify documents changed since the last check).</summary>
    public int ChangedCycle { get; set; }

    /// <summary>Reported as half-written: no longer checked or touched, so that one finding is reported once.</summary>
    public bool Broken { get; set; }

    /// <summary>Whether the document is in an acknowledged or settled state that the checks can verify.</summary>
    public bool IsSettled => !Broken && Candidates is null && Known is not null;

    public bool IsCertainlyPresent => IsSettled && Known is { Present: true };

    /// <summary>Settles on <paramref name="version"/>; markers of every other candidate are retired.</summary>
    public void Settle(DocVersion version, bool acknowledged, int cycle)
    {
        foreach (var other in Candidates ?? [])
        {
            if (!ReferenceEquals(other, version))
            {
                RetiredMarkers.UnionWith(other.Markers);
            }
        }

        if (Known is not null && !ReferenceEquals(Known, version))
        {
            RetiredMarkers.UnionWith(Known.Markers);
        }

        RetiredMarkers.ExceptWith(version.Markers);
        Known = version;
        Candidates = null;
        MayStillChange = false;
        Acknowledged |= acknowledged;
        ChangedCycle = cycle;
    }

    /// <summary>An operation towards <paramref name="next"/> is in flight: until answered the document is in either state.</summary>
    public void BeginChange(DocVersion next)
    {
        Candidates = [Known ?? DocVersion.Absent, next];
    }
}

internal enum JobOutcome
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>An ingestion job the service acknowledged (202 with its id).</summary>
internal sealed class TrackedJob
{
    public TrackedJob(string id, string tenant, int client, IReadOnlyList<(TrackedDoc Doc, DocVersion Version)> documents, int cycle)
    {
        Id = id;
        Tenant = tenant;
        Client = client;
        Documents = documents;
        SubmittedCycle = cycle;
    }

    public string Id { get; }

    public string Tenant { get; }

    public int Client { get; }

    public IReadOnlyList<(TrackedDoc Doc, DocVersion Version)> Documents { get; }

    public int SubmittedCycle { get; }

    public JobOutcome Outcome { get; set; }

    public int Attempts { get; set; }
}

/// <summary>Every document and job the clients touched. Clients add to it concurrently; checks run while they are stopped.</summary>
internal sealed class Ledger
{
    private readonly Lock gate = new();
    private readonly List<TrackedDoc> documents = [];
    private readonly List<TrackedJob> jobs = [];

    public IReadOnlyList<TrackedDoc> Documents
    {
        get
        {
            lock (gate)
            {
                return [.. documents];
            }
        }
    }

    public IReadOnlyList<TrackedJob> Jobs
    {
        get
        {
            lock (gate)
            {
                return [.. jobs];
            }
        }
    }

    public TrackedDoc Add(TrackedDoc doc)
    {
        lock (gate)
        {
            documents.Add(doc);
        }

        return doc;
    }

    public void Add(TrackedJob job)
    {
        lock (gate)
        {
            jobs.Add(job);
        }
    }
}
