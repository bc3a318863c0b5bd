using System;
using System.Management.Automation;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Lists the agents of the project with their heartbeat age and whether they are stale.</summary>
    [Cmdlet(VerbsCommon.Get, "TcAgent")]
    [OutputType(typeof(Agent))]
    public sealed class GetTcAgentCommand : TcCmdlet
    {
        /// <summary>Only these agents (wildcards allowed).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(AgentIdCompleter))]
        public string[]? Id { get; set; }

        /// <summary>Seconds after which an agent without a heartbeat counts as stale (default 300).</summary>
        [Parameter]
        [ValidateRange(TcOptions.MinStaleAfterSeconds, TcOptions.MaxStaleAfterSeconds)]
        public int StaleAfterSeconds { get; set; } = TcOptions.DefaultStaleAfterSeconds;

        protected override void ProcessItem()
        {
            var agents = Run((s, ct) => s.Agents.ListAsync(TimeSpan.FromSeconds(StaleAfterSeconds), ct));
            foreach (var agent in agents)
                if (Wildcards.Matches(Id, agent.Id)) WriteObject(agent);
        }
    }
}
