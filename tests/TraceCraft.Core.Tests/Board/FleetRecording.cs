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

        /// <param name="agent">Opens a session for an agent, optionally with its own clock.</param>
        public static async Task RecordAsync(Func<string, TcClock?, TcSession> agent)
        {
            var lead = agent("lead", null);
            await lead.Agents.RegisterAsync();
            await lead.Steps.DefineAsync(new StepDefinition { Id = "design" });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "build", DependsOn = new[] { "design" } });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "docs" });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "test", DependsOn = new[] { "build" }, MaxAttempts = 1 });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "deploy", DependsOn = new[] { "test", "docs" } });
            await lead.Messages.SendAsync("_broadcast", "Standup: design first, then build <b>fast</b>");

            var designer = agent("designer", null);
            await designer.Claims.ClaimAsync("design", 600);
            await designer.Messages.SendAsync("builder", "Design is ready, see mockup.html");
            await designer.Steps.CompleteAsync("design", new CompletionRequest { Note = "done, see <mockup.html> & notes", To = "builder" });

            // The builder claims with a short lease and dies; the rescuer, whose clock runs 5 minutes later, takes over.
            var builder = agent("builder", null);
            await builder.Claims.ClaimAsync("build", 30);
            var rescuer = agent("rescuer", new TcClock(fixedOffset: TimeSpan.FromMinutes(5)));
            var takeover = await rescuer.Claims.ClaimAsync("build", 600);
            if (takeover.TakenOverFrom != "builder") throw new InvalidOperationException("The recording expected a takeover of build.");
            await rescuer.Messages.SendAsync("lead", "Took over build from builder");
            await rescuer.Steps.CompleteAsync("build", new CompletionRequest { Note = "built after takeover" });

            var writer = agent("writer", null);
            await writer.Claims.ClaimAsync("docs", 600);
            await writer.Steps.CompleteAsync("docs", new CompletionRequest { State = StepStatus.Blocked, Note = "waiting for API keys" });

            var tester = agent("tester", null);
            await tester.Claims.ClaimAsync("test", 600);
            await tester.Claims.ReleaseAsync("test", failed: true);
            await tester.Messages.SendAsync("_broadcast", "test failed: flaky fixture");
        }
    }
}
