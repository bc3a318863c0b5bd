using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using TraceCraft.Protocol;
using TraceCraft.Wire;

namespace TraceCraft.Report
{
    /// <summary>
    /// The project as one self-contained HTML file (Export-TcReport, <c>tracecraft report --html</c>): a timeline with a
    /// lane per agent and a bar per attempt, the declared step graph with each step's state, the agents, the steps and the
    /// handoff notes. No network resource: CSS, script and SVG are inline, so it opens offline and can be mailed.
    /// Everything from the bucket is untrusted: the tables are HTML-encoded here, and the timeline and graph are drawn by
    /// the inline script from a JSON island (escaped so that no value can close the script) with textContent only.
    /// </summary>
    public static class HtmlReport
    {
        /// <summary>Writes the report to <paramref name="path"/> (UTF-8, no BOM), replacing the file.</summary>
        public static void Write(ProjectSnapshot snapshot, string path)
        {
            try
            {
                File.WriteAllText(path, Render(snapshot), new UTF8Encoding(false));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new Errors.TcException(Errors.TcErrorCode.OutputNotWritten,
                    $"The report could not be written to '{path}': {e.Message} Give a path in a folder you can write to.", path, e);
            }
        }

        public static string Render(ProjectSnapshot snapshot)
        {
            var html = new StringBuilder(16 * 1024);
            string project = Encode(snapshot.Project);
            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // No network: a strict policy makes sure of it even if a value slipped through.
                .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .Append("<title>TraceCraft report: ").Append(project).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
            html.Append("<header><h1>TraceCraft report: <span id=\"project\">").Append(project).Append("</span></h1>")
                .Append("<p class=\"summary\">").Append(Encode(Summary(snapshot))).Append(" &middot; taken ").Append(Encode(Time(snapshot.TakenAt))).Append("</p></header>\n");

            html.Append("<section><h2>Timeline</h2><p class=\"legend\">")
                .Append("<span class=\"key complete\"></span>complete <span class=\"key in_progress\"></span>in progress ")
                .Append("<span class=\"key needs_review\"></span>needs review <span class=\"key blocked\"></span>blocked ")
                .Append("<span class=\"key failed\"></span>failed <span class=\"key released\"></span>released ")
                .Append("<span class=\"key taken_over\"></span>lease expired &#9670; takeover &#9474; message</p>")
                .Append("<div id=\"timeline\"></div></section>\n");
            html.Append("<section><h2>Step graph</h2><div id=\"graph\"></div></section>\n");

            AppendAgents(html, snapshot);
            AppendSteps(html, snapshot);
            AppendHandoffs(html, snapshot);

            html.Append("<script type=\"application/json\" id=\"tc-data\">").Append(Data(snapshot)).Append("</script>\n");
            html.Append("<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
            return html.ToString();
        }

        private static string Summary(ProjectSnapshot s)
        {
            var parts = new List<string> { $"{s.Steps.Count} step(s)" };
            foreach (var state in new[] { StepStatus.Complete, StepStatus.InProgress, StepStatus.NeedsReview, StepStatus.Blocked, StepStatus.Failed, StepStatus.Pending })
            {
                int n = s.Count(state);
                if (n > 0) parts.Add($"{n} {state.Replace('_', ' ')}");
            }
            parts.Add($"{s.Agents.Count} agent(s)");
            parts.Add($"{s.MessageMarks.Count} message(s)");
            return string.Join(", ", parts);
        }

        private static void AppendAgents(StringBuilder html, ProjectSnapshot s)
        {
            html.Append("<section><h2>Agents</h2><table id=\"agents\"><thead><tr><th>Agent</th><th>Status</th><th>Step</th><th>Heartbeat</th><th>Age</th></tr></thead><tbody>\n");
            foreach (var a in s.Agents)
            {
                html.Append("<tr class=\"").Append(a.IsStale ? "stale" : "fresh").Append("\"><td>").Append(Encode(a.Id)).Append("</td><td>")
                    .Append(Encode(a.IsStale ? "stale" : a.Status)).Append("</td><td>").Append(Encode(a.Step ?? "-")).Append("</td><td>")
                    .Append(Encode(a.Heartbeat is DateTimeOffset h ? Time(h) : "unknown")).Append("</td><td>")
                    .Append(Encode(a.Age is TimeSpan age ? Age(age) : "-")).Append("</td></tr>\n");
            }
            html.Append("</tbody></table></section>\n");
        }

        private static void AppendSteps(StringBuilder html, ProjectSnapshot s)
        {
            html.Append("<section><h2>Steps</h2><table id=\"steps\"><thead><tr><th>Step</th><th>State</th><th>Agent</th><th>Token</th><th>Started</th><th>Completed</th><th>Depends on</th><th>Attempts</th></tr></thead><tbody>\n");
            foreach (var v in s.Steps)
            {
                var step = v.Step;
                string state = step.Status == StepStatus.Pending ? (v.IsReady ? "ready" : v.UnmetDependencies.Count > 0 ? "waiting" : "pending") : step.Status;
                html.Append("<tr class=\"state-").Append(Encode(state)).Append("\"><td>").Append(Encode(step.Id)).Append("</td><td>")
                    .Append(Encode(state.Replace('_', ' '))).Append(v.LeaseExpired ? " (lease expired)" : "").Append("</td><td>")
                    .Append(Encode(step.Agent ?? "-")).Append("</td><td>").Append(step.Token?.ToString(CultureInfo.InvariantCulture) ?? "-").Append("</td><td>")
                    .Append(Encode(step.StartedAt is DateTimeOffset st ? Time(st) : "-")).Append("</td><td>")
                    .Append(Encode(step.CompletedAt is DateTimeOffset c ? Time(c) : "-")).Append("</td><td>")
                    .Append(Encode(step.DependsOn.Length == 0 ? "-" : string.Join(", ", step.DependsOn))).Append("</td><td>")
                    .Append(v.Attempts.Count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            }
            html.Append("</tbody></table></section>\n");
        }

        private static void AppendHandoffs(StringBuilder html, ProjectSnapshot s)
        {
            html.Append("<section><h2>Handoff notes</h2><table id=\"handoffs\"><thead><tr><th>Step</th><th>When</th><th>From</th><th>To</th><th>State</th><th>Note</th><th>Next action</th></tr></thead><tbody>\n");
            var handoffs = s.Steps.SelectMany(v => v.HandoffHistory.Concat(v.Handoff is null ? Array.Empty<Handoff>() : new[] { v.Handoff }))
                .OrderBy(h => h.CreatedAt).ToList();
            foreach (var h in handoffs)
            {
                html.Append("<tr><td>").Append(Encode(h.FromStep)).Append("</td><td>").Append(Encode(Time(h.CreatedAt))).Append("</td><td>")
                    .Append(Encode(h.FromAgent)).Append("</td><td>").Append(Encode(h.NextAgent ?? "(anyone)")).Append("</td><td>")
                    .Append(Encode(h.State.Replace('_', ' '))).Append("</td><td class=\"note\">").Append(Encode(h.Note ?? "")).Append("</td><td>")
                    .Append(Encode(h.NextAction ?? "")).Append("</td></tr>\n");
            }
            if (handoffs.Count == 0) html.Append("<tr><td colspan=\"7\">No handoff notes yet.</td></tr>\n");
            html.Append("</tbody></table></section>\n");
        }

        /// <summary>
        /// The JSON island the script draws from. The default encoder escapes &lt;, &gt;, &amp; and quotes as \uXXXX, so no
        /// value can end the script element or open another.
        /// </summary>
        private static string Data(ProjectSnapshot s)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("now", Time(s.TakenAt));
                w.WriteStartArray("agents");
                var lanes = s.Agents.Select(a => a.Id)
                    .Concat(s.Steps.SelectMany(v => v.Attempts).Select(a => a.Agent))
                    .Concat(s.MessageMarks.Select(m => m.From))
                    .Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal);
                foreach (var lane in lanes)
                {
                    var agent = s.Agents.FirstOrDefault(a => a.Id == lane);
                    w.WriteStartObject();
                    w.WriteString("id", lane);
                    w.WriteBoolean("stale", agent?.IsStale ?? true);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("steps");
                foreach (var v in s.Steps)
                {
                    w.WriteStartObject();
                    w.WriteString("id", v.Step.Id);
                    w.WriteString("state", v.Step.Status == StepStatus.Pending ? (v.IsReady ? "ready" : v.UnmetDependencies.Count > 0 ? "waiting" : "pending") : v.Step.Status);
                    w.WriteString("agent", v.Step.Agent);
                    w.WriteStartArray("dependsOn");
                    foreach (var d in v.Step.DependsOn) w.WriteStringValue(d);
                    w.WriteEndArray();
                    w.WriteStartArray("attempts");
                    foreach (var a in v.Attempts)
                    {
                        w.WriteStartObject();
                        w.WriteString("agent", a.Agent);
                        w.WriteNumber("token", a.Token);
                        WriteTime(w, "start", a.ClaimedAt);
                        WriteTime(w, "end", a.EndedAt);
                        WriteTime(w, "expires", a.LeaseExpiresAt);
                        w.WriteString("outcome", a.Outcome);
                        w.WriteString("endedBy", a.EndedBy);
                        w.WriteString("takenOverFrom", a.TakenOverFrom);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("messages");
                foreach (var m in s.MessageMarks)
                {
                    w.WriteStartObject();
                    w.WriteString("from", m.From);
                    w.WriteString("to", m.To);
                    w.WriteString("at", Time(m.SentAt));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? time)
        {
            if (time is DateTimeOffset t) w.WriteString(name, Time(t));
            else w.WriteNull(name);
        }

        private static string Time(DateTimeOffset t) => WireTime.Format(t);

        private static string Age(TimeSpan age) =>
            age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)}s" : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m" : $"{(int)age.TotalHours}h";

        /// <summary>HTML-encodes text for element content and attribute values (quotes included).</summary>
        public static string Encode(string text) => WebUtility.HtmlEncode(text);

        private const string Css = @"
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 24px 40px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:18px 0 2px}h2{font-size:17px;margin:22px 0 8px}
.summary{color:#555;margin:0}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:4px 10px;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.note{max-width:480px;white-space:pre-wrap}
tr.stale td{color:#b54708}
.legend{color:#555;font-size:12px}.key{display:inline-block;width:12px;height:10px;margin:0 3px 0 10px;border-radius:2px;vertical-align:middle}
#timeline,#graph{background:#fff;box-shadow:0 1px 2px #0002;overflow-x:auto}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}
.complete{fill:#2e9e5b;background:#2e9e5b}.in_progress{fill:#2f6fde;background:#2f6fde}.needs_review{fill:#b78103;background:#b78103}
.blocked{fill:#d92d20;background:#d92d20}.failed{fill:#7a0916;background:#7a0916}.released{fill:#98a2b3;background:#98a2b3}
.taken_over{fill:#f79009;background:#f79009}.ready{fill:#7f56d9}.waiting,.pending{fill:#d0d5dd}
rect.bar{rx:3px;stroke:#0003}
.lane-bg{fill:#f6f7f9}.lane-bg.odd{fill:#fff}
.takeover{fill:#f79009;stroke:#7a2e0e}.expiry{stroke:#d92d20;stroke-width:2;stroke-dasharray:3 2}
.tick{stroke:#475467;stroke-width:1.5}.axis{stroke:#d0d5dd}
.node rect{stroke:#0003;rx:6px}.node text{fill:#fff;font-weight:600}.node.waiting text,.node.pending text{fill:#1d2330}
.edge{stroke:#98a2b3;fill:none;stroke-width:1.5}
";

        // Draws the timeline and the step graph from the JSON island. Values only ever reach the page through textContent
        // and setAttribute, never innerHTML, so a hostile agent name or note stays text.
        private const string Script = @"
(function(){
'use strict';
var data=JSON.parse(document.getElementById('tc-data').textContent);
var NS='http://www.w3.org/2000/svg';
function el(name,attrs,parent){var e=document.createElementNS(NS,name);for(var k in attrs){e.setAttribute(k,attrs[k]);}if(parent){parent.appendChild(e);}return e;}
function text(parent,x,y,value,attrs){var t=el('text',Object.assign({x:x,y:y},attrs||{}),parent);t.textContent=value;return t;}
function title(parent,value){var t=el('title',{},parent);t.textContent=value;}
function ms(s){return s?Date.parse(s):NaN;}
var now=ms(data.now);
// Timeline
var times=[now];
data.steps.forEach(function(s){s.attempts.forEach(function(a){[a.start,a.end,a.expires].forEach(function(t){if(t){times.push(ms(t));}});});});
data.messages.forEach(function(m){times.push(ms(m.at));});
times=times.filter(function(t){return !isNaN(t);});
var t0=Math.min.apply(null,times),t1=Math.max.apply(null,times);
if(t1-t0<60000){t1=t0+60000;}
var pad=(t1-t0)*0.02;t0-=pad;t1+=pad;
var label=140,width=1100,laneH=30,top=24;
var lanes={};data.agents.forEach(function(a,i){lanes[a.id]=i;});
var height=top+laneH*Math.max(1,data.agents.length)+8;
var svg=el('svg',{width:'100%',height:height,preserveAspectRatio:'xMinYMin meet',viewBox:'0 0 '+width+' '+height,id:'timeline-svg'},document.getElementById('timeline'));
function x(t){return label+(t-t0)/(t1-t0)*(width-label-10);}
for(var k=0;k<=6;k++){var tt=t0+(t1-t0)*k/6;el('line',{x1:x(tt),x2:x(tt),y1:top-4,y2:height,class:'axis'},svg);text(svg,x(tt)-22,14,new Date(tt).toISOString().substr(11,8));}
data.agents.forEach(function(a,i){
  var g=el('g',{class:'lane','data-agent':a.id},svg);
  el('rect',{x:0,y:top+i*laneH,width:width,height:laneH,class:'lane-bg'+(i%2?' odd':'')},g);
  text(g,6,top+i*laneH+19,a.id,a.stale?{'font-style':'italic'}:{});
});
data.steps.forEach(function(s){s.attempts.forEach(function(a){
  var lane=lanes[a.agent];if(lane===undefined){return;}
  var start=ms(a.start),end=a.end?ms(a.end):now;if(isNaN(start)){start=isNaN(end)?now:end;}
  var y=top+lane*laneH+5,x0=x(start),x1=Math.max(x(end),x0+4);
  var g=el('g',{class:'bar-group'},svg);
  var r=el('rect',{x:x0,y:y,width:x1-x0,height:laneH-10,class:'bar '+a.outcome,'data-step':s.id,'data-agent':a.agent,'data-token':a.token},g);
  title(r,s.id+' (token '+a.token+') by '+a.agent+': '+a.outcome.replace('_',' ')+(a.start?' from '+a.start:'')+(a.end?' to '+a.end:' (running)')+(a.endedBy?' ended by '+a.endedBy:''));
  if(x1-x0>30){var lt=text(g,x0+4,y+14,s.id,{fill:'#fff'});lt.setAttribute('pointer-events','none');}
  if(a.outcome==='taken_over'){var ex=el('line',{x1:x1,x2:x1,y1:y-3,y2:y+laneH-7,class:'expiry'},g);title(ex,'lease of '+a.agent+' on '+s.id+' expired');}
  if(a.takenOverFrom){var p=el('path',{d:'M'+x0+' '+(y-4)+' l6 6 l-6 6 l-6 -6 z',class:'takeover','data-step':s.id,'data-from':a.takenOverFrom,'data-to':a.agent},g);title(p,a.agent+' took '+s.id+' over from '+a.takenOverFrom);}
});});
data.messages.forEach(function(m){
  var lane=lanes[m.from];if(lane===undefined){return;}
  var xx=x(ms(m.at)),y=top+lane*laneH;
  var tk=el('line',{x1:xx,x2:xx,y1:y+1,y2:y+7,class:'tick','data-from':m.from,'data-to':m.to},svg);title(tk,m.from+' to '+m.to+' at '+m.at);
});
// Step graph: layers by longest dependency path, edges from each dependency to its step.
var byId={};data.steps.forEach(function(s){byId[s.id.toLowerCase().replace(/\./g,'-')]=s;});
var depth={};
function d(s,seen){var key=s.id;if(depth[key]!==undefined){return depth[key];}if(seen[key]){return 0;}seen[key]=true;var best=0;s.dependsOn.forEach(function(dep){var o=byId[dep.toLowerCase().replace(/\./g,'-')];if(o){best=Math.max(best,d(o,seen)+1);}});depth[key]=best;return best;}
data.steps.forEach(function(s){d(s,{});});
var layers=[];data.steps.forEach(function(s){var l=depth[s.id];(layers[l]=layers[l]||[]).push(s);});
var nodeW=150,nodeH=34,gapX=60,gapY=14,pos={};
var rows=Math.max.apply(null,[1].concat(layers.map(function(l){return l?l.length:0;})));
var gw=Math.max(300,layers.length*(nodeW+gapX)+20),gh=rows*(nodeH+gapY)+20;
var gs=el('svg',{width:gw,height:gh,viewBox:'0 0 '+gw+' '+gh,id:'graph-svg'},document.getElementById('graph'));
layers.forEach(function(layer,li){(layer||[]).forEach(function(s,ri){pos[s.id]={x:10+li*(nodeW+gapX),y:10+ri*(nodeH+gapY)};});});
data.steps.forEach(function(s){s.dependsOn.forEach(function(dep){var o=byId[dep.toLowerCase().replace(/\./g,'-')];if(!o){return;}var a=pos[o.id],b=pos[s.id];
  el('path',{d:'M'+(a.x+nodeW)+' '+(a.y+nodeH/2)+' C'+(a.x+nodeW+gapX/2)+' '+(a.y+nodeH/2)+' '+(b.x-gapX/2)+' '+(b.y+nodeH/2)+' '+b.x+' '+(b.y+nodeH/2),class:'edge','data-from':o.id,'data-to':s.id},gs);});});
data.steps.forEach(function(s){var p=pos[s.id];var g=el('g',{class:'node '+s.state,'data-step':s.id,'data-state':s.state},gs);
  el('rect',{x:p.x,y:p.y,width:nodeW,height:nodeH,class:s.state},g);
  var label=s.id.length>18?s.id.substr(0,17)+'\u2026':s.id;text(g,p.x+8,p.y+15,label);text(g,p.x+8,p.y+28,s.state.replace('_',' ')+(s.agent?' \u00b7 '+s.agent:''),{'font-weight':'400','font-size':'11px'});
  title(g,s.id+': '+s.state+(s.agent?' ('+s.agent+')':''));});
document.body.setAttribute('data-rendered','true');
})();
";
    }
}
