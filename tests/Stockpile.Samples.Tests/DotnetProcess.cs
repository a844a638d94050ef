using System.Diagnostics;

namespace Stockpile.Tests;

/// <summary>Runs the <c>dotnet</c> CLI as a child process, with its output captured and a time limit.</summary>
internal static class DotnetProcess
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="workingDirectory">The folder the process starts in.</param>
    /// <param name="timeout">How long it may run before it is killed.</param>
    /// <param name="environment">Variables to set, or to remove when the value is <see langword="null"/>.</param>
    /// <param name="arguments">The arguments to <c>dotnet</c>.</param>
    /// <exception cref="TimeoutException">The process ran longer than <paramref name="timeout"/>; it was killed.</exception>
    public static async Task<ProcessResult> RunAsync(
        string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No MSBuild or compiler server outlives the step (the machine is shared; the test leaves nothing running).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var command = "dotnet " + string.Join(' ', arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + command);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{command}` ran longer than {timeout}; killed.{Environment.NewLine}{await output}{Environment.NewLine}{await errors}");
        }

        return new ProcessResult(command, process.ExitCode, await output, await errors);
    }
}
