using System.ComponentModel.DataAnnotations;

namespace Retrieval.Storage.Postgres;

/// <summary>Configuration section <c>Retrieval:Storage:Postgres</c> (used when <c>Retrieval:Storage:Type</c> is <c>postgres</c>).</summary>
public sealed class PostgresStorageOptions
{
    public const string Section = "Retrieval:Storage:Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Port=5432;Username=retrieval;Password=…;Database=retrieval</c>.</summary>
    [Required(ErrorMessage = "A PostgreSQL connection string is required when Retrieval:Storage:Type is 'postgres'.")]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Schema that holds every table (created at start-up). Several deployments can share a database with different schemas.</summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lower-case SQL identifier (a-z, 0-9, _).")]
    public string Schema { get; set; } = "retrieval";
}
