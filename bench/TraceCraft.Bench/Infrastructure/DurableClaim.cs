using System.Text.Json;
using System.Threading.Tasks;
using TraceCraft.Wire;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Reads claim.json straight from the store (not through any agent's session): the durable truth of a claim.</summary>
    public static class DurableClaim
    {
        public sealed record Record(string? Agent, long Token, string? TakenOverFrom);

        public static async Task<Record?> ReadAsync(IObjectStore store, ProjectLayout layout, string stepId)
        {
            var read = await store.GetAsync(layout.ClaimKey(stepId)).ConfigureAwait(false);
            if (!read.Found) return null;
            using var json = JsonDocument.Parse(read.Body!);
            var root = json.RootElement;
            string? agent = root.TryGetProperty("agent", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            long token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 1;
            string? from = root.TryGetProperty("taken_over_from", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            return new Record(agent, token, from);
        }
    }
}
