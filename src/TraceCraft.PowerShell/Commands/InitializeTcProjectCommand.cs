using System.Management.Automation;
using System.Net;
using TraceCraft.Config;
using TraceCraft.Protocol;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Sets up this folder for TraceCraft: writes .tracecraft.json, creates the bucket if missing, registers the agent.</summary>
    [Cmdlet(VerbsData.Initialize, "TcProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ProjectContext))]
    public sealed class InitializeTcProjectCommand : TcCmdlet
    {
        /// <summary>The project: every object lives under this prefix in the bucket.</summary>
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The project name (the bucket prefix).")]
        [ValidateNotNullOrEmpty]
        public string Project { get; set; } = "";

        /// <summary>This agent's id. TRACECRAFT_AGENT overrides it at run time.</summary>
        [Parameter(Mandatory = true, Position = 1, HelpMessage = "This agent's id.")]
        [ValidateNotNullOrEmpty]
        public string Agent { get; set; } = "";

        /// <summary>s3 (default) or folder (a local folder, no server).</summary>
        [Parameter]
        [ValidateSet(Backends.S3, Backends.Folder)]
        public string Backend { get; set; } = Backends.S3;

        /// <summary>The S3 endpoint URL (MinIO, RGW, R2, SeaweedFS); omit for AWS.</summary>
        [Parameter]
        public string? Endpoint { get; set; }

        /// <summary>The bucket (default 'tracecraft').</summary>
        [Parameter]
        public string? Bucket { get; set; }

        /// <summary>Access key (user name) and secret key (password). Omit to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (written to the file unless -NoSaveKeys) or the AWS profile.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>The signing region (default us-east-1; 'auto' for R2).</summary>
        [Parameter]
        public string? Region { get; set; }

        /// <summary>The folder of the folder backend. Default: in a git repository, tracecraft-store in its shared git folder (the main checkout's .git), so every worktree finds the same store; elsewhere ./.tracecraft-store.</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>Send If-Match ETags quoted (Cloudflare R2 wants this; Ceph RGW refuses it).</summary>
        [Parameter]
        public SwitchParameter QuoteIfMatch { get; set; }

        /// <summary>Do not write the keys of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to the file: every command then reads them from the environment (or the AWS profile).</summary>
        [Parameter]
        public SwitchParameter NoSaveKeys { get; set; }

        protected override void ProcessItem()
        {
            string folder = WorkingDirectory;
            if (!ShouldProcess(System.IO.Path.Combine(folder, ConfigLoader.LocalFileName), $"Initialize project '{Project}' as agent '{Agent}'")) return;
            var request = new InitRequest
            {
                Project = Project,
                Agent = Agent,
                Backend = Backend,
                Endpoint = Endpoint,
                Bucket = Bucket,
                AccessKey = Credential?.UserName,
                SecretKey = Credential?.GetNetworkCredential().Password,
                Region = Region,
                Path = Path,
                QuoteIfMatch = QuoteIfMatch,
                SaveEnvironmentKeys = !NoSaveKeys,
            };
            var context = Run(ct => ProjectSetup.InitializeAsync(request, new ConfigLoader(folder), new TcSessionOptions { RequestObserver = OnRequest, Warning = OnWarning }, ct));
            WriteObject(context);
        }
    }
}
