namespace Stockpile.Tests;

/// <summary>How a child process ended and what it wrote.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output, string Errors)
{
    /// <summary>Everything needed to see why a step failed, for an assertion message.</summary>
    public override string ToString() =>
        $"`{Command}` exited with {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Output}{Environment.NewLine}--- stderr ---{Environment.NewLine}{Errors}";
}
