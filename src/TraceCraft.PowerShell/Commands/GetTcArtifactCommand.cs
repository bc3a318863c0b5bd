using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Lists artifacts: of one step, of the shared folder (-Shared), or of the whole project.</summary>
    [Cmdlet(VerbsCommon.Get, "TcArtifact", DefaultParameterSetName = AllSet)]
    [OutputType(typeof(Artifact))]
    public sealed class GetTcArtifactCommand : TcCmdlet
    {
        private const string AllSet = "All";
        private const string SharedSet = "Shared";

        /// <summary>Only this step's artifacts.</summary>
        [Parameter(Position = 0, ParameterSetName = AllSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string? Step { get; set; }

        /// <summary>Only shared artifacts (uploaded without a step).</summary>
        [Parameter(Mandatory = true, ParameterSetName = SharedSet)]
        public SwitchParameter Shared { get; set; }

        /// <summary>Only artifacts whose name matches (wildcards allowed).</summary>
        [Parameter]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ArtifactNameCompleter))]
        public string[]? Name { get; set; }

        protected override void ProcessItem()
        {
            foreach (var artifact in Run((s, ct) => s.Artifacts.ListAsync(Step, Shared, ct)))
                if (Wildcards.Matches(Name, artifact.Name)) WriteObject(artifact);
        }
    }
}
