using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Downloads artifacts into a folder (or to a file path). Names are validated, so a name from the bucket can
    /// never write outside the destination folder; an existing file is not replaced unless -Force; a failed
    /// download leaves no partial file. Same-named artifacts of different steps never overwrite each other: with
    /// -PerStep each goes into a subfolder named after its step's folder in the bucket (<c>shared</c> for shared ones);
    /// without it, the second of them is a DestinationExists error, even with -Force (-Force replaces files that were
    /// there before the command, never one it has just saved from another step).
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

        /// <summary>
        /// Save each artifact into a subfolder of -Destination named after its step's folder in the bucket
        /// (lower case, dots as dashes; <c>shared</c> for shared artifacts), as in the bucket's <c>artifacts/</c>:
        /// <c>-Destination d</c> writes <c>d/build/app.log</c> and <c>d/test/app.log</c>. -Destination is then a folder.
        /// </summary>
        [Parameter]
        public SwitchParameter PerStep { get; set; }

        /// <summary>
        /// The files this command has written, and the bucket folder of the step each came from (two spellings of a
        /// step id that map to one folder are one step: the same objects).
        /// </summary>
        private readonly Dictionary<string, string> _saved = new Dictionary<string, string>(
            RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

        protected override void ProcessItem()
        {
            foreach (var name in Name)
            {
                ForItem(() =>
                {
                    // A shared artifact piped from Get-TcArtifact binds its null Step as an empty string.
                    string? step = string.IsNullOrEmpty(Step) ? null : Step;
                    string? destination = PerStep ? Protocol.ArtifactService.PerStepFolder(Destination, step) : Destination;
                    string target = Protocol.ArtifactService.ResolveTarget(Keys.IdValidator.Validate(Keys.IdKind.ArtifactName, name), destination, WorkingDirectory);
                    string folder = step is null ? Wire.ProjectLayout.SharedArtifacts : Wire.ProjectLayout.StepFolder(Keys.IdValidator.Validate(Keys.IdKind.Step, step));
                    if (_saved.TryGetValue(target, out var savedFrom) && savedFrom != folder)
                        throw new TcException(TcErrorCode.DestinationExists,
                            $"{target} was just saved from the artifact {name} in artifacts/{savedFrom}/, and artifacts/{folder}/ has one of the same name: " +
                            "use -PerStep to save each step's artifacts into a subfolder of their own.", target);
                    if (!ShouldProcess(target, $"Save artifact {name} (step {step ?? "shared"})")) return;
                    var progress = new Protocol.InlineProgress<long>(done => Post(() =>
                    {
                        if (done >= 4 << 20) WriteProgress(new ProgressRecord(3, "Downloading " + name, $"{done >> 20} MiB"));
                    }));
                    var artifact = Run((s, ct) => s.Artifacts.DownloadAsync(name, step, destination, WorkingDirectory, Force, progress, ct));
                    _saved[target] = folder;
                    WriteProgress(new ProgressRecord(3, "Downloading " + name, "Done") { RecordType = ProgressRecordType.Completed });
                    WriteObject(artifact);
                });
            }
        }
    }
}
