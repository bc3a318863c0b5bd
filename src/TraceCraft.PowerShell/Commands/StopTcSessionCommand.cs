using System.Management.Automation;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Ends the mirroring of a session: deletes its local cursor file and sets ended_at in its meta.json (if unset).
    /// The <c>tracecraft session stop</c> verb.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "TcSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SessionStopResult))]
    public sealed class StopTcSessionCommand : TcCmdlet
    {
        /// <summary>The sessions to stop.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] SessionId { get; set; } = System.Array.Empty<string>();

        protected override void ProcessItem()
        {
            foreach (var id in SessionId)
            {
                ForItem(() =>
                {
                    Keys.IdValidator.Validate(Keys.IdKind.SessionId, id);
                    if (!ShouldProcess(id, "Mark the mirrored session ended and delete its local cursor")) return;
                    WriteObject(Run((s, ct) => s.Transcripts.StopAsync(id, cancellationToken: ct)));
                });
            }
        }
    }
}
