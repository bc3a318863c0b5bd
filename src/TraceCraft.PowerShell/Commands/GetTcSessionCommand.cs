using System.Management.Automation;
using TraceCraft.Errors;
using TraceCraft.Sessions;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Lists the agent sessions mirrored into the project, or gets one by id (with -Tail, its last transcript lines).
    /// The <c>tracecraft session list</c> and <c>session show</c> verbs.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "TcSession", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(MirroredSession))]
    public sealed class GetTcSessionCommand : TcCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        /// <summary>The session to get (or the start of its id, when only one session starts so).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] SessionId { get; set; } = System.Array.Empty<string>();

        /// <summary>Also read the last N lines of the mirrored transcript into the Tail property.</summary>
        [Parameter(ParameterSetName = IdSet)]
        [ValidateRange(0, 1_000_000)]
        public int? Tail { get; set; }

        /// <summary>Only sessions of this harness.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet(SessionHarness.ClaudeCode, SessionHarness.Codex, SessionHarness.OpenClaw, SessionHarness.Hermes)]
        public string? Harness { get; set; }

        /// <summary>At most this many sessions (default 20).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, 1_000_000)]
        public int Limit { get; set; } = 20;

        /// <summary>Recent (latest upload first, the default) or Size (most bytes first).</summary>
        /// <remarks>A string, not the engine's enum: parameter types are resolved before the module's loader can answer for TraceCraft.Core.</remarks>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("Recent", "Size")]
        public string SortBy { get; set; } = "Recent";

        protected override void ProcessItem()
        {
            if (ParameterSetName == ListSet)
            {
                foreach (var session in Run((s, ct) => s.Transcripts.ListAsync(Harness, string.Equals(SortBy, "Size", System.StringComparison.OrdinalIgnoreCase) ? SessionSort.Size : SessionSort.Recent, Limit, ct))) WriteObject(session);
                return;
            }
            foreach (var id in SessionId)
            {
                ForItem(() =>
                {
                    var found = Run((s, ct) => s.Transcripts.GetAsync(id, Tail, ct))
                        ?? throw new TcException(TcErrorCode.SessionNotFound, $"Session not found: {id}", id);
                    WriteObject(found);
                });
            }
        }
    }
}
