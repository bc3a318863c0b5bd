using System.IO;
using System.Management.Automation;
using TraceCraft.Setup;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Writes the instructions an AI coding agent needs to coordinate through TraceCraft (the verbs, --json, the
    /// claim / lease / renew etiquette, the MCP server) into the file its harness reads: CLAUDE.md for Claude Code,
    /// AGENTS.md for Codex and the AGENTS.md convention. The text is a marked block, replaced in place when run again;
    /// the rest of the file is never changed. The same as <c>tracecraft setup</c>.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "TcAgentInstruction", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = WriteSet)]
    [OutputType(typeof(FileInfo), ParameterSetName = new[] { WriteSet })]
    [OutputType(typeof(string), ParameterSetName = new[] { PrintSet })]
    public sealed class SetTcAgentInstructionCommand : TcCmdlet
    {
        private const string WriteSet = "Write";
        private const string PrintSet = "Print";

        /// <summary>The agent harness: claude-code (CLAUDE.md), codex (AGENTS.md) or agents-md (AGENTS.md, harness-neutral).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet(AgentInstructions.ClaudeCode, AgentInstructions.Codex, AgentInstructions.AgentsMd)]
        public string Target { get; set; } = "";

        /// <summary>The file to write, or a folder to write the harness's file into. Default: the harness's file in the current folder.</summary>
        [Parameter(Position = 1, ParameterSetName = WriteSet)]
        public string? Path { get; set; }

        /// <summary>Emit the block as text instead of writing any file.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PrintSet)]
        public SwitchParameter Print { get; set; }

        protected override void ProcessItem()
        {
            string block = AgentInstructions.Block(Target);
            if (Print)
            {
                WriteObject(block);
                return;
            }
            string file = AgentInstructions.ResolvePath(Target, ResolvedPath(), WorkingDirectory);
            var change = MarkedBlock.WriteTo(file, block, dryRun: true);
            if (change != MarkedBlockChange.Unchanged)
            {
                string action = change == MarkedBlockChange.Created ? "Create with the tracecraft instructions" : "Write the tracecraft instructions block";
                if (!ShouldProcess(file, action)) return;
                change = MarkedBlock.WriteTo(file, block);
            }
            WriteVerbose($"{change}: {file}");
            WriteObject(new FileInfo(file));
        }

        /// <summary>-Path as a file system path (~ and PowerShell drives resolved), keeping a final separator: it says "a folder".</summary>
        private string? ResolvedPath()
        {
            if (string.IsNullOrEmpty(Path)) return null;
            string resolved = GetUnresolvedProviderPathFromPSPath(Path);
            bool folder = Path!.EndsWith("/", System.StringComparison.Ordinal) || Path.EndsWith("\\", System.StringComparison.Ordinal);
            return folder && !resolved.EndsWith(System.IO.Path.DirectorySeparatorChar.ToString(), System.StringComparison.Ordinal)
                ? resolved + System.IO.Path.DirectorySeparatorChar
                : resolved;
        }
    }
}
