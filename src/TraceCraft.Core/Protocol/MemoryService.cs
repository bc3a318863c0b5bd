using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Keys;
using TraceCraft.Options;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// Shared memory: <c>memory/&lt;key path&gt;.json</c> = <c>{"value", "set_by", "set_at"}</c>. Values may be any JSON;
    /// strings stay plain strings so the original reads them. The object's ETag is the entry's version, so a write
    /// conditioned with <see cref="WriteCondition.IfAbsent"/> or <see cref="WriteCondition.IfMatch"/> (the version read;
    /// see <see cref="TcOptions.MemoryCondition"/>) is an atomic compare-and-set.
    /// </summary>
    public sealed class MemoryService
    {
        private readonly TcSession _session;

        internal MemoryService(TcSession session) => _session = session;

        /// <summary>Writes a value given as JSON text. A lost compare-and-set throws MemoryVersionMismatch with the current entry as Detail.</summary>
        public async Task<MemoryEntry> SetAsync(string key, string valueJson, WriteCondition condition = default, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.MemoryKey, key);
            if (valueJson is null) throw new TcException(TcErrorCode.InvalidArgument, $"The value of memory key '{key}' is missing.", key);
            string what = $"The value of memory key '{key}'";
            string value = MemoryWire.CheckValue(valueJson, what);
            var now = _session.Clock.Now;
            byte[] body = MemoryWire.Write(value, _session.AgentId, now);
            // Indenting can make the stored object much bigger than the value: the limit is checked on what is stored.
            WireLimits.CheckWritable(body, what, key);
            string objectKey = _session.Layout.MemoryKey(key);
            var result = await _session.Store.PutAsync(objectKey, body, condition, "application/json", cancellationToken).ConfigureAwait(false);
            if (!result.Written)
            {
                var current = await GetAsync(key, cancellationToken).ConfigureAwait(false);
                string? ifVersion = condition.ETag;
                string why = condition.Kind == WriteConditionKind.IfAbsent
                    ? $"Memory key '{key}' already exists (version {current?.Version}): read it and retry with -IfVersion."
                    : current is null
                        ? $"Memory key '{key}' no longer exists, so version {ifVersion} cannot match."
                        : $"Memory key '{key}' changed: version {ifVersion} was expected, the current version is {current.Version} (set by {current.SetBy}). Read it again and retry.";
                throw new TcException(TcErrorCode.MemoryVersionMismatch, why, key) { Detail = current };
            }
            return new MemoryEntry
            {
                Key = key,
                Value = MemoryWire.PlainValue(value),
                ValueJson = value,
                SetBy = _session.AgentId,
                SetAt = now,
                Version = result.ETag,
            };
        }

        /// <summary>Writes a plain string value (what the original's memory set writes).</summary>
        public Task<MemoryEntry> SetStringAsync(string key, string value, WriteCondition condition = default, CancellationToken cancellationToken = default) =>
            SetAsync(key, MemoryWire.StringValue(value), condition, cancellationToken);

        /// <summary>The entry, or null when the key does not exist.</summary>
        public async Task<MemoryEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.MemoryKey, key);
            string objectKey = _session.Layout.MemoryKey(key);
            var read = await _session.Store.GetAsync(objectKey, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? MemoryWire.Read(key, objectKey, read.Body!, read.ETag) : null;
        }

        /// <summary>Dotted keys under a raw prefix ('des' also lists 'design.*', as the original does).</summary>
        public async Task<IReadOnlyList<string>> ListKeysAsync(string? prefix = null, CancellationToken cancellationToken = default)
        {
            string objectPrefix = _session.Layout.MemoryPrefix + ValidatePrefix(prefix);
            var objects = await _session.Store.ListAllAsync(objectPrefix, null, cancellationToken).ConfigureAwait(false);
            return objects.Where(o => o.Key.EndsWith(".json", System.StringComparison.Ordinal))
                .Select(o => _session.Layout.MemoryKeyOf(o.Key)).ToList();
        }

        /// <summary>Entries under a prefix with their values; an unreadable entry is reported and skipped.</summary>
        public async Task<IReadOnlyList<MemoryEntry>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default)
        {
            var keys = await ListKeysAsync(prefix, cancellationToken).ConfigureAwait(false);
            return await _session.ReadEachAsync(keys, key => GetAsync(key, cancellationToken), key => $"memory entry '{key}'", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Deletes a key; false when it did not exist.</summary>
        public async Task<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.MemoryKey, key);
            string objectKey = _session.Layout.MemoryKey(key);
            var read = await _session.Store.GetAsync(objectKey, null, cancellationToken).ConfigureAwait(false);
            if (!read.Found) return false;
            await _session.Store.DeleteAsync(objectKey, cancellationToken).ConfigureAwait(false);
            return true;
        }

        private static string ValidatePrefix(string? prefix)
        {
            if (string.IsNullOrEmpty(prefix)) return "";
            foreach (char c in prefix!)
                if (char.IsControl(c) || c == '/' || c == '\\')
                    throw new TcException(TcErrorCode.InvalidIdentifier, $"The memory prefix '{prefix}' contains '{(char.IsControl(c) ? "a control character" : c.ToString())}', which is not allowed.", prefix);
            if (prefix.Contains("..")) throw new TcException(TcErrorCode.InvalidIdentifier, $"The memory prefix '{prefix}' contains '..', which is not allowed.", prefix);
            return prefix.Replace('.', '/');
        }
    }
}
