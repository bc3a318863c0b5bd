using System.IO;
using System.Management.Automation;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Uploads files as artifacts of a step (or shared ones). An existing artifact is not replaced unless -Force
    /// (which asks with -Confirm). Large files show progress.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "TcArtifact", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(Artifact))]
    public sealed class PublishTcArtifactCommand : TcCmdlet
    {
        /// <summary>The files to upload.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "LocalPath")]
        public string[] Path { get; set; } = System.Array.Empty<string>();

        /// <summary>The step the artifacts belong to (shared when omitted).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string? Step { get; set; }

        /// <summary>The artifact name (default: the file name). Only with one file.</summary>
        [Parameter]
        public string? Name { get; set; }

        /// <summary>Replace an existing artifact of that name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessItem()
        {
            if (Name is not null && Path.Length > 1)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Name names one artifact: give one -Path with it, or leave -Name out."), "NameWithManyFiles", ErrorCategory.InvalidArgument, Name));
            foreach (var path in Path)
            {
                ForItem(() =>
                {
                    string full = GetUnresolvedProviderPathFromPSPath(path);
                    if (!File.Exists(full)) throw new TcException(TcErrorCode.FileNotFound, $"File not found: {path}", path);
                    string name = Name ?? System.IO.Path.GetFileName(full);
                    if (!ShouldProcess($"{name} (step {Step ?? "shared"})", Force ? "Upload artifact, replacing any existing one" : "Upload artifact")) return;
                    long size = new FileInfo(full).Length;
                    var progress = new Protocol.InlineProgress<long>(done => Post(() => ShowProgress(name, done, size)));
                    var artifact = Run((s, ct) => s.Artifacts.UploadAsync(full, Step, Name, overwrite: Force, progress, ct));
                    WriteProgress(new ProgressRecord(2, "Uploading " + name, "Done") { RecordType = ProgressRecordType.Completed });
                    WriteObject(artifact);
                });
            }
        }

        private void ShowProgress(string name, long done, long size)
        {
            if (size < 4 << 20) return; // Small files finish before a bar would help.
            WriteProgress(new ProgressRecord(2, "Uploading " + name, $"{done >> 20} of {size >> 20} MiB") { PercentComplete = (int)(100 * done / size) });
        }
    }
}
