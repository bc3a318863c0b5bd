using System;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;

namespace TraceCraft.Tests.Board
{
    /// <summary>
    /// A small recorded fleet run, the same for the snapshot, report and board tests: five agents, a dependency chain,
    /// one takeover after a lease ran out, a blocked step, a failed step, direct messages and a broadcast.
    /// </summary>
    public static class FleetRecording
    {
        /// <summary>The agents whose lanes the report must draw.</summary>
        public static readonly string[] Agents = { "lead", "designer", "builder", "rescuer", "writer", "tester" };

        /// <summary>
        /// Records the run on a virtual clock that starts an hour ago and moves a few minutes between actions, so the
        /// timeline has a shape; the clock's offset is fixed (no sync with the store), so the times are exactly these.
        /// Returns the clock, for the viewer's session.
        /// </summary>
        /// <param name="agent">Opens a session for an agent with the given clock.</param>
        public static async Task<TcClock> RecordAsync(Func<string, TcClock?, TcSession> agent)
        {
            var time = DateTimeOffset.UtcNow.AddMinutes(-60);
            var clock = new TcClock(() => time, fixedOffset: TimeSpan.Zero);
            void Advance(double minutes) => time = time.AddMinutes(minutes);
            var lead = agent("lead", clock);
            await lead.Agents.RegisterAsync();
            await lead.Steps.DefineAsync(new StepDefinition { Id = "design" });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "build", DependsOn = new[] { "design" } });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "docs" });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "test", DependsOn = new[] { "build" }, MaxAttempts = 1 });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "deploy", DependsOn = new[] { "test", "docs" } });
            await lead.Messages.SendAsync("_broadcast", "Standup: design first, then build <b>fast</b>");

            Advance(2);
            var designer = agent("designer", clock);
            await designer.Claims.ClaimAsync("design", 600);
            Advance(6);
            await designer.Messages.SendAsync("builder", "Design is ready, see mockup.html");
            await designer.Steps.CompleteAsync("design", new CompletionRequest { Note = "done, see <mockup.html> & notes", To = "builder" });

            // The builder claims with a 5-minute lease and dies; after it ran out, the rescuer takes over.
            Advance(1);
            var builder = agent("builder", clock);
            await builder.Claims.ClaimAsync("build", 300);
            Advance(8);
            var rescuer = agent("rescuer", clock);
            var takeover = await rescuer.Claims.ClaimAsync("build", 600);
            if (takeover.TakenOverFrom != "builder") throw new InvalidOperationException("The recording expected a takeover of build.");
            Advance(1);
            await rescuer.Messages.SendAsync("lead", "Took over build from builder");
            Advance(9);
            await rescuer.Steps.CompleteAsync("build", new CompletionRequest { Note = "built after takeover" });

            var writer = agent("writer", clock);
            await writer.Claims.ClaimAsync("docs", 600);
            Advance(12);
            await writer.Steps.CompleteAsync("docs", new CompletionRequest { State = StepStatus.Blocked, Note = "waiting for API keys" });

            Advance(1);
            var tester = agent("tester", clock);
            await tester.Claims.ClaimAsync("test", 600);
            Advance(7);
            await tester.Claims.ReleaseAsync("test", failed: true);
            Advance(1);
            await tester.Messages.SendAsync("_broadcast", "test failed: flaky fixture");
            Advance(2);
            return clock;
        }
    }
}
