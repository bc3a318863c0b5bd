using System;

namespace TraceCraft
{
    public enum MessageKind { Direct, Broadcast }

    /// <summary>A message (<c>messages/&lt;recipient&gt;/&lt;ns&gt;_&lt;sender&gt;_&lt;hex8&gt;.json</c>); immutable once sent.</summary>
    public sealed class Message
    {
        /// <summary>The object's file name without '.json': unique, and sorts by the sender's clock.</summary>
        public string Id { get; init; } = "";
        public string From { get; init; } = "";
        public string To { get; init; } = "";
        public MessageKind Kind { get; init; }
        public string Text { get; init; } = "";
        public DateTimeOffset SentAt { get; init; }
        public string Key { get; init; } = "";

        public override string ToString() => $"[{Wire.WireTime.Format(SentAt)}] ({Kind.ToString().ToLowerInvariant()}) {From}: {Text}";
    }
}
