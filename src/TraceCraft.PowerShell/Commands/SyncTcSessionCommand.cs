using System;
using System.Management.Automation;
using TraceCraft.Sessions;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Mirrors an agent's session transcript (Claude Code, Codex, OpenClaw, Hermes) into the project: the complete lines
    /// new since the last part, redacted, as one new part of <c>sessions/&lt;harness&gt;/&lt;id&gt;/</c>. The
    /// <c>tracecraft session mirror</c> verb.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "TcSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MirrorResult))]
    public sealed class SyncTcSessionCommand : TcCmdlet
    {
        /// <summary>Whose transcript: claude-code, codex, openclaw or hermes.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "claude-code, codex, openclaw or hermes")]
        [ValidateSet(SessionHarness.ClaudeCode, SessionHarness.Codex, SessionHarness.OpenClaw, SessionHarness.Hermes)]
        public string Harness { get; set; } = "";

        /// <summary>The session; without it, the harness's most recent one (Claude Code: of -Cwd).</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? SessionId { get; set; }

        /// <summary>Claude Code: the working folder whose sessions are meant (default: the current location). Codex: only sessions started there.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Cwd { get; set; }

        /// <summary>Uploads secrets as they are instead of replacing them with [REDACTED:name].</summary>
        [Parameter]
        public SwitchParameter NoRedact { get; set; }

        /// <summary>Uploads only when at least this many new bytes are complete (default 1).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int MinBytes { get; set; } = 1;

        protected override void ProcessItem()
        {
            string target = $"{Harness} session {SessionId ?? "(most recent)"}";
            if (!ShouldProcess(target, "Mirror the new transcript lines into the project")) return;
            string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var request = new MirrorRequest
            {
                Harness = Harness,
                SessionId = SessionId,
                Cwd = Cwd,
                Redact = !NoRedact.IsPresent,
                MinBytes = MinBytes,
                Sources = new SessionSourceOptions { HomeDirectory = home, WorkingDirectory = WorkingDirectory },
            };
            var result = Run((s, ct) => s.Transcripts.MirrorAsync(request, cancellationToken: ct));
            WriteVerbose(result.Part is null
                ? $"Nothing new in {result.Harness} session {result.SessionId} (cursor {result.Cursor}, source {result.SourceSize})."
                : $"Uploaded {result.Part.Name} of {result.Harness} session {result.SessionId}: {result.Part.SourceBytes} source bytes, redactions {result.Part.Redactions}.");
            WriteObject(result);
        }
    }
}
