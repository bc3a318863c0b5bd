using System.Text.Json;
using System.Threading.Tasks;
using TraceCraft.Wire;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Reads claim.json straight from the store (not through any agent's session): the durable truth of a claim.</summary>
    public static class DurableClaim
    {
        /// <summary>The claim as written; <see cref="State"/> and <see cref="FinishedBy"/> are the seal (null while held).</summary>
        public sealed record Record(string? Agent, long Token, string? TakenOverFrom, string? State = null, string? FinishedBy = null);

        public static async Task<Record?> ReadAsync(IObjectStore store, ProjectLayout layout, string stepId)
        {
            var read = await store.GetAsync(layout.ClaimKey(stepId)).ConfigureAwait(false);
            if (!read.Found) return null;
            using var json = JsonDocument.Parse(read.Body!);
            var root = json.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 1;
            return new Record(Text("agent"), token, Text("taken_over_from"), Text("state"), Text("finished_by"));
        }
    }
}
