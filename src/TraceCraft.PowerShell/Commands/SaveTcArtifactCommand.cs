using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Downloads artifacts into a folder (or to a file path). Names are validated, so a name from the bucket can
    /// never write outside the destination folder; an existing file is not replaced unless -Force; a failed
    /// download leaves no partial file.
    /// </summary>
    [Cmdlet(VerbsData.Save, "TcArtifact", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(Artifact))]
    public sealed class SaveTcArtifactCommand : TcCmdlet
    {
        /// <summary>The artifact names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ArtifactNameCompleter))]
        public string[] Name { get; set; } = System.Array.Empty<string>();

        /// <summary>The step they belong to (shared when omitted).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string? Step { get; set; }

        /// <summary>A folder to save into (created if missing when it ends with a separator), or a file path. Default: the current folder.</summary>
        [Parameter(Position = 1)]
        [Alias("OutFile", "Output")]
        public string? Destination { get; set; }

        /// <summary>Replace existing files.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessItem()
        {
            foreach (var name in Name)
            {
                ForItem(() =>
                {
                    string target = Protocol.ArtifactService.ResolveTarget(Keys.IdValidator.Validate(Keys.IdKind.ArtifactName, name), Destination, WorkingDirectory);
                    if (!ShouldProcess(target, $"Save artifact {name} (step {Step ?? "shared"})")) return;
                    var progress = new Protocol.InlineProgress<long>(done => Post(() =>
                    {
                        if (done >= 4 << 20) WriteProgress(new ProgressRecord(3, "Downloading " + name, $"{done >> 20} MiB"));
                    }));
                    var artifact = Run((s, ct) => s.Artifacts.DownloadAsync(name, Step, Destination, WorkingDirectory, Force, progress, ct));
                    WriteProgress(new ProgressRecord(3, "Downloading " + name, "Done") { RecordType = ProgressRecordType.Completed });
                    WriteObject(artifact);
                });
            }
        }
    }
}
