namespace Stockpile.Redis.Tests.Torture;

/// <summary>The database a torture case runs against.</summary>
public enum TortureDatabaseKind
{
    /// <summary>A SQLite file in WAL mode.</summary>
    Sqlite,

    /// <summary>A database on the suite's private PostgreSQL server.</summary>
    PostgreSql,
}
