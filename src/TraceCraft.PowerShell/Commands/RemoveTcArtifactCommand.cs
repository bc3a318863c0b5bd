using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Deletes artifacts of a step (or shared ones). Takes the objects Get-TcArtifact emits from the pipeline; a
    /// missing artifact is an ArtifactNotFound error for that item.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "TcArtifact", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveTcArtifactCommand : TcCmdlet
    {
        /// <summary>The artifact names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ArtifactNameCompleter))]
        public string[] Name { get; set; } = System.Array.Empty<string>();

        /// <summary>The step they belong to (shared when omitted).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string? Step { get; set; }

        protected override void ProcessItem()
        {
            foreach (var name in Name)
            {
                ForItem(() =>
                {
                    Keys.IdValidator.Validate(Keys.IdKind.ArtifactName, name);
                    // A shared artifact piped from Get-TcArtifact binds its null Step as an empty string.
                    string? step = string.IsNullOrEmpty(Step) ? null : Step;
                    if (!ShouldProcess($"{name} (step {step ?? "shared"})", "Remove artifact")) return;
                    Run((s, ct) => s.Artifacts.DeleteAsync(name, step, ct));
                });
            }
        }
    }
}
