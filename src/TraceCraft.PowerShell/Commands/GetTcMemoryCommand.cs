using System.Management.Automation;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Reads shared memory: one key, or every entry under a prefix (a raw prefix, as the original matches).</summary>
    [Cmdlet(VerbsCommon.Get, "TcMemory", DefaultParameterSetName = PrefixSet)]
    [OutputType(typeof(MemoryEntry))]
    public sealed class GetTcMemoryCommand : TcCmdlet
    {
        private const string KeySet = "Key";
        private const string PrefixSet = "Prefix";

        /// <summary>The keys to read. A missing key is a MemoryKeyNotFound error.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = KeySet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(MemoryKeyCompleter))]
        public string[] Key { get; set; } = System.Array.Empty<string>();

        /// <summary>List entries whose key starts with this (all entries when omitted).</summary>
        [Parameter(ParameterSetName = PrefixSet)]
        public string? Prefix { get; set; }

        protected override void ProcessItem()
        {
            if (ParameterSetName == PrefixSet)
            {
                foreach (var entry in Run((s, ct) => s.Memory.ListAsync(Prefix, ct))) WriteObject(entry);
                return;
            }
            foreach (var key in Key)
            {
                ForItem(() =>
                {
                    var entry = Run((s, ct) => s.Memory.GetAsync(key, ct))
                        ?? throw new TcException(TcErrorCode.MemoryKeyNotFound, $"Memory key not found: {key}", key);
                    WriteObject(entry);
                });
            }
        }
    }
}
