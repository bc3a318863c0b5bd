using System.Management.Automation;
using TraceCraft.Options;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Protocol;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Writes a shared memory entry. Strings are stored as plain strings (the original reads them); other values
    /// are stored as JSON. -IfVersion and -IfAbsent are atomic compare-and-sets: a lost race is a
    /// MemoryVersionMismatch error that carries the current entry.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "TcMemory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ValueSet)]
    [OutputType(typeof(MemoryEntry))]
    public sealed class SetTcMemoryCommand : TcCmdlet
    {
        private const string ValueSet = "Value";
        private const string JsonSet = "Json";

        /// <summary>The key; dots separate its parts (design.status is memory/design/status.json).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The memory key, e.g. design.status.")]
        [ArgumentCompleter(typeof(MemoryKeyCompleter))]
        public string Key { get; set; } = "";

        /// <summary>The value: a string, number, boolean, hashtable, array or object (stored as JSON).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = ValueSet, ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        public object? Value { get; set; }

        /// <summary>The value as JSON text, stored as that JSON value.</summary>
        [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
        public string Json { get; set; } = "";

        /// <summary>Write only if the entry still has this version (its ETag, from Get-TcMemory): atomic.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Version")]
        [ValidateNotNullOrEmpty]
        public string? IfVersion { get; set; }

        /// <summary>Write only if the key does not exist yet: atomic.</summary>
        [Parameter]
        public SwitchParameter IfAbsent { get; set; }

        protected override void ProcessItem()
        {
            var condition = TcOptions.MemoryCondition(IfAbsent, IfVersion, Key);
            if (!ShouldProcess(Key, "Set memory")) return;
            string json = ParameterSetName == JsonSet ? Json : JsonValue.From(Value);
            WriteObject(Run((s, ct) => s.Memory.SetAsync(Key, json, condition, ct)));
        }
    }
}
