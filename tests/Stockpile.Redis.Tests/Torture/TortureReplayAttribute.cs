using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Gives a torture case its seed before it runs (<c>STOCKPILE_TORTURE_SEED</c> when set, else a fresh one; read back by
/// <see cref="TortureApps.Seed"/>), and puts the line that replays it (seed, rounds, cycles, soak, filter) at the head of
/// any failure, whatever failed: an assertion (one or several), an exception a wait or a server threw, a bound that ran
/// out; the line is printed when the case starts, too.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TortureReplayAttribute : NUnitAttribute, IWrapTestMethod
{
    private const string SeedProperty = "TortureSeed";

    public TestCommand Wrap(TestCommand command) => new ReplayCommand(command);

    /// <summary>Gets the seed given to the running test, or <see langword="null"/> outside a test with this attribute.</summary>
    public static int? SeedOfCurrentTest() =>
        TestExecutionContext.CurrentContext.CurrentTest.Properties.Get(SeedProperty) is int seed ? seed : null;

    private sealed class ReplayCommand(TestCommand inner) : DelegatingTestCommand(inner)
    {
        public override TestResult Execute(TestExecutionContext context)
        {
            var seed = TortureSettings.ChooseSeed();
            context.CurrentTest.Properties.Set(SeedProperty, seed);

            // Printed first as well: a case the runner kills (a hang) reports nothing after.
            var replay = TortureSettings.Replay(seed, context.CurrentTest.FullName);
            TestContext.Progress.WriteLine(replay);
            try
            {
                context.CurrentResult = innerCommand.Execute(context);
            }
            catch (Exception ex)
            {
                context.CurrentResult ??= context.CurrentTest.MakeTestResult();
                context.CurrentResult.RecordException(ex);
            }

            var result = context.CurrentResult;
            if (result.ResultState.Status == TestStatus.Failed)
            {
                result.SetResult(result.ResultState, replay + Environment.NewLine + result.Message, result.StackTrace);
            }

            return result;
        }
    }
}
