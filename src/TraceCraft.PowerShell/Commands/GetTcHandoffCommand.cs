using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Reads the handoff notes (schema 2) that complete wrote for steps; steps without one give nothing.</summary>
    [Cmdlet(VerbsCommon.Get, "TcHandoff")]
    [OutputType(typeof(Handoff))]
    public sealed class GetTcHandoffCommand : TcCmdlet
    {
        /// <summary>The steps.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Also the handoffs of the step's runs before it was reopened (Reset-TcStep), oldest first.</summary>
        [Parameter]
        public SwitchParameter History { get; set; }

        protected override void ProcessItem()
        {
            foreach (var id in Id)
                ForItem(() =>
                {
                    if (History) foreach (var earlier in Run((s, ct) => s.Steps.GetHandoffHistoryAsync(id, ct))) WriteObject(earlier);
                    var handoff = Run((s, ct) => s.Steps.GetHandoffAsync(id, ct));
                    if (handoff is not null) WriteObject(handoff);
                });
        }
    }
}
