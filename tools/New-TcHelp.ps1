#Requires -Version 7.2
<#
.SYNOPSIS
Writes the MAML help of the TraceCraft cmdlets (en-US/TraceCraft.PowerShell.dll-Help.xml) into a laid-out module.

.DESCRIPTION
Three sources, each the only home of what it provides:
- the cmdlets themselves: names, parameter sets, types, mandatory, position, pipeline input, aliases, wildcards,
  accepted values, defaults and output types are read from the laid-out module, imported in a child pwsh process
  (so this session never loads the module's assemblies and the next build can overwrite them);
- the XML doc file of TraceCraft.PowerShell.dll: each parameter's description is the <summary> of its property;
- docs/cmdlets/<Verb-Noun>.md: synopsis, description, examples, notes, related links.

It throws, listing every problem, when an exported cmdlet has no page, a page names no exported cmdlet, a page lacks
a synopsis, description or example (an example needs code and a sentence), a page has an unknown section, a related
link names a TraceCraft command that does not exist, or a parameter has no description. So the docs cannot drift
from the code. It writes nothing to the output stream (build.ps1 captures its caller's output).

Page format (see any page in docs/cmdlets):
  # Verb-Noun
  ## Synopsis        one paragraph
  ## Description     paragraphs, "- " lists, ``` fenced code
  ## Examples        "### Example N: title", then one ```powershell block and the sentences that explain it
  ## Outputs         optional: what the emitted objects carry
  ## Notes           optional: guarantees, error ids
  ## Related Links   optional: "- Command-Name" or "- about_Topic" lines

.EXAMPLE
./tools/New-TcHelp.ps1 -ModuleDirectory out/TraceCraft/0.1.0 -DocsDirectory docs/cmdlets -XmlDoc out/publish/TraceCraft.PowerShell.xml
#>
[CmdletBinding()]
param(
    # The laid-out module folder (holds TraceCraft.psd1); the help goes to its en-US folder.
    [Parameter(Mandatory)]
    [string] $ModuleDirectory,
    # The folder of the <Verb-Noun>.md pages.
    [Parameter(Mandatory)]
    [string] $DocsDirectory,
    # The XML documentation file the C# build writes (GenerateDocumentationFile).
    [Parameter(Mandatory)]
    [string] $XmlDoc
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$KnownSections = 'Synopsis', 'Description', 'Examples', 'Outputs', 'Notes', 'Related Links'
$RequiredSections = 'Synopsis', 'Description', 'Examples'
# Parameters PowerShell adds for SupportsShouldProcess: they have no property, so their text lives here.
$ShouldProcessParameters = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Cmdlet metadata (child process)

function Start-CmdletMetadata([string] $Manifest) {
    # Starts a fresh pwsh that imports the module and describes every exported cmdlet as JSON; the caller goes on
    # with the pages meanwhile and collects the result with Receive-CmdletMetadata.
    $probe = {
        param([string] $Manifest)
        $ErrorActionPreference = 'Stop'
        function Get-TypeLabel([type] $Type, [switch] $Full) {
            $inner = [Nullable]::GetUnderlyingType($Type)
            if ($inner) { $Type = $inner }
            if ($Type.IsArray) { return (Get-TypeLabel $Type.GetElementType() -Full:$Full) + '[]' }
            if ($Full) { $Type.FullName } else { $Type.Name }
        }
        function Get-DefaultText($Instance, [System.Reflection.PropertyInfo] $Property) {
            if ($null -eq $Property -or $null -eq $Instance) { return $null }
            $value = $Property.GetValue($Instance)
            if ($value -is [System.Management.Automation.SwitchParameter]) { return [string]$value.IsPresent }
            if ($null -eq $value -or ($value -is [string] -and $value -eq '') -or ($value -is [array] -and $value.Length -eq 0)) { return $null }
            [System.Convert]::ToString($value, [System.Globalization.CultureInfo]::InvariantCulture)
        }
        $module = Import-Module $Manifest -PassThru -Force -DisableNameChecking
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        $result = foreach ($command in $module.ExportedCmdlets.Values) {
            $type = $command.ImplementingType
            $instance = try { [Activator]::CreateInstance($type) } catch { $null }
            $parameters = foreach ($parameter in $command.Parameters.Values) {
                if ($common -contains $parameter.Name) { continue }
                $property = $type.GetProperty($parameter.Name)
                $attributes = $parameter.Attributes
                $validateSet = $attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] }, 'First')
                $range = $attributes.Where({ $_ -is [System.Management.Automation.ValidateRangeAttribute] }, 'First')
                [pscustomobject]@{
                    Name          = $parameter.Name
                    Type          = Get-TypeLabel $parameter.ParameterType
                    FullType      = Get-TypeLabel $parameter.ParameterType -Full
                    IsSwitch      = $parameter.SwitchParameter
                    IsArray       = $parameter.ParameterType.IsArray
                    Aliases       = @($parameter.Aliases)
                    Wildcards     = [bool]$attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }, 'First').Count
                    ValidValues   = @(if ($validateSet.Count) { $validateSet[0].ValidValues })
                    Range         = @(if ($range.Count) { [string]$range[0].MinRange; [string]$range[0].MaxRange })
                    DeclaringType = if ($property) { $property.DeclaringType.FullName } else { $null }
                    Default       = Get-DefaultText $instance $property
                    Sets          = @(foreach ($set in $parameter.ParameterSets.GetEnumerator()) {
                            [pscustomobject]@{
                                Name         = $set.Key
                                Mandatory    = $set.Value.IsMandatory
                                Position     = $set.Value.Position
                                ByValue      = $set.Value.ValueFromPipeline
                                ByProperty   = $set.Value.ValueFromPipelineByPropertyName
                                Remaining    = $set.Value.ValueFromRemainingArguments
                            }
                        })
                }
            }
            [pscustomobject]@{
                Name          = $command.Name
                Verb          = $command.Verb
                Noun          = $command.Noun
                DefaultSet    = $command.DefaultParameterSet
                Sets          = @(foreach ($set in $command.ParameterSets) {
                        [pscustomobject]@{ Name = $set.Name; IsDefault = $set.IsDefault; Parameters = @($set.Parameters.Name.Where({ $common -notcontains $_ })) }
                    })
                OutputTypes   = @($command.OutputType.Name)
                Parameters    = @($parameters)
            }
        }
        ConvertTo-Json -InputObject @($result) -Depth 6 -Compress
    }

    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh -CommandType Application -ErrorAction Stop)[0].Source }
    $script = "& { $probe } -Manifest '$($Manifest -replace "'", "''")'"
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($argument in '-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    # Both streams are read while the process runs, so neither can fill up and block it.
    [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Errors = $process.StandardError.ReadToEndAsync(); Manifest = $Manifest }
}

function Receive-CmdletMetadata($Probe) {
    $Probe.Process.WaitForExit()
    $output = $Probe.Output.GetAwaiter().GetResult()
    $errors = $Probe.Errors.GetAwaiter().GetResult()
    if ($Probe.Process.ExitCode -ne 0 -or -not $output.Trim()) {
        throw "Reading the cmdlets of $($Probe.Manifest) in a child pwsh failed (exit $($Probe.Process.ExitCode)):`n$errors"
    }
    @($output | ConvertFrom-Json)
}

#endregion

#region XML doc comments

function ConvertFrom-DocNode([System.Xml.XmlNode] $Node) {
    # Inner text of a doc comment, with <see cref>, <paramref> and <c> rendered as plain words.
    $text = foreach ($child in $Node.ChildNodes) {
        switch ($child.NodeType) {
            'Text' { $child.Value }
            'Element' {
                switch ($child.LocalName) {
                    'see' {
                        $cref = $child.GetAttribute('cref')
                        if ($child.InnerText) { $child.InnerText }
                        elseif ($cref) { ($cref -replace '^\w:', '' -split '\.')[-1] }
                        else { $child.GetAttribute('langword') }
                    }
                    'paramref' { $child.GetAttribute('name') }
                    default { ConvertFrom-DocNode $child }
                }
            }
        }
    }
    (-join $text)
}

function Read-XmlDoc([string] $Path) {
    # P:Type.Property -> summary text, whitespace collapsed.
    $doc = [xml](Get-Content -Raw -LiteralPath $Path)
    $map = @{}
    foreach ($member in $doc.doc.members.member) {
        $summary = $member.SelectSingleNode('summary')
        if ($member.name.StartsWith('P:') -and $summary) {
            $map[$member.name.Substring(2)] = ((ConvertFrom-DocNode $summary) -replace '\s+', ' ').Trim()
        }
    }
    $map
}

#endregion

#region Markdown pages

function ConvertFrom-Inline([string] $Text) {
    # Markdown inline marks become plain text: `code`, **bold**, [text](url).
    $Text = $Text -replace '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)'
    $Text = $Text -replace '\*\*([^*]+)\*\*', '$1'
    $Text -replace '`([^`]+)`', '$1'
}

function ConvertTo-Block([string[]] $Lines) {
    # Lines of a section -> blocks: @{ Kind = 'text' | 'code'; Text }. Paragraphs and list items are joined into one
    # line each (Get-Help wraps them); fenced code keeps its lines.
    $blocks = [System.Collections.Generic.List[object]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    $inCode = $false
    $flush = {
        if ($current.Count -gt 0) {
            $blocks.Add([pscustomobject]@{ Kind = 'text'; Text = ConvertFrom-Inline (($current -replace '^\s+|\s+$', '') -join ' ') })
            $current.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($inCode) {
            if ($line -match '^\s*```\s*$') { $blocks.Add([pscustomobject]@{ Kind = 'code'; Text = ($code -join "`n") }); $inCode = $false }
            else { $code.Add($line) }
            continue
        }
        if ($line -match '^\s*```') {
            & $flush
            $inCode = $true
            $code = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($line -match '^\s*$') { & $flush; continue }
        if ($line -match '^\s*([-*]|\d+\.)\s+') { & $flush }
        $current.Add($line)
    }
    if ($inCode) { throw 'a ``` code block is not closed' }
    & $flush
    , $blocks.ToArray()
}

function Read-HelpPage([string] $Path) {
    # Returns @{ Name; Sections = @{ name -> lines }; Examples = @(@{ Title; Lines }) ; Problems = @() }.
    $page = @{ Name = $null; Sections = [ordered]@{}; Examples = [System.Collections.Generic.List[object]]::new(); Problems = [System.Collections.Generic.List[string]]::new() }
    $file = Split-Path -Leaf $Path
    $section = $null
    $example = $null
    $inCode = $false
    foreach ($line in (Get-Content -LiteralPath $Path -Encoding utf8)) {
        if ($line -match '^\s*```') { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^(#{1,3})\s+(.+?)\s*$') {
            $level = $Matches[1].Length
            $title = $Matches[2]
            if ($level -eq 1) {
                if ($page.Name) { $page.Problems.Add("docs: ${file}: more than one '# ' title") }
                $page.Name = $title
                continue
            }
            if ($level -eq 2) {
                $section = if ($KnownSections -contains $title) { $title } else { $null }
                if (-not $section) { $page.Problems.Add("docs: ${file}: unknown section '## $title' (known: $($KnownSections -join ', '))"); $section = '?' }
                $page.Sections[$section] = [System.Collections.Generic.List[string]]::new()
                $example = $null
                continue
            }
            if ($section -ne 'Examples') { $page.Problems.Add("docs: ${file}: '### $title' outside '## Examples'"); continue }
            $example = @{ Title = $title; Lines = [System.Collections.Generic.List[string]]::new() }
            $page.Examples.Add($example)
            continue
        }
        if ($null -ne $example) { $example.Lines.Add($line) }
        elseif ($null -ne $section) { $page.Sections[$section].Add($line) }
        elseif ($line.Trim()) { $page.Problems.Add("docs: ${file}: text before the first section: '$line'") }
    }
    $page
}

#endregion

#region MAML

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Write-Element([System.Xml.XmlWriter] $W, [string] $Name, [string] $Text) {
    $prefix, $local = $Name -split ':', 2
    $W.WriteElementString($prefix, $local, $ns[$prefix], $Text)
}

function Write-Paragraphs([System.Xml.XmlWriter] $W, [object[]] $Blocks) {
    foreach ($block in $Blocks) {
        $text = if ($block.Kind -eq 'code') { ($block.Text -split "`n").ForEach({ "    $_" }) -join "`n" } else { $block.Text }
        Write-Element $W 'maml:para' $text
    }
}

function Write-Description([System.Xml.XmlWriter] $W, [object[]] $Blocks) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paragraphs $W $Blocks
    $W.WriteEndElement()
}

function Get-ParameterFacts($Parameter) {
    # What Get-Help shows for a parameter, merged over its parameter sets.
    $sets = @($Parameter.Sets)
    $mandatory = $sets.Where({ $_.Mandatory })
    $required = if ($mandatory.Count -eq $sets.Count) { 'true' }
    elseif ($mandatory.Count -eq 0) { 'false' }
    else { 'true (' + ($mandatory.Name -join ', ') + '), false (other sets)' }
    $positioned = $sets.Where({ $_.Position -ge 0 }, 'First')
    $byValue = [bool]$sets.Where({ $_.ByValue }).Count
    $byProperty = [bool]$sets.Where({ $_.ByProperty }).Count
    $pipeline = if ($byValue -and $byProperty) { 'True (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byProperty) { 'True (ByPropertyName)' }
    else { 'False' }
    @{
        Required = $required
        Position = if ($positioned.Count) { [string]$positioned[0].Position } else { 'named' }
        Pipeline = $pipeline
        Aliases  = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
    }
}

function Write-Parameter([System.Xml.XmlWriter] $W, $Parameter, [object[]] $Description, $Set) {
    # One <command:parameter>: in a syntax item ($Set given) or in the parameter list.
    $facts = Get-ParameterFacts $Parameter
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $(if ($Set) { $Set.Mandatory.ToString().ToLowerInvariant() } else { $facts.Required }))
    $W.WriteAttributeString('variableLength', $Parameter.IsArray.ToString().ToLowerInvariant())
    $W.WriteAttributeString('globbing', $Parameter.Wildcards.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $facts.Pipeline)
    $W.WriteAttributeString('position', $(if ($Set) { if ($Set.Position -ge 0) { [string]$Set.Position } else { 'named' } } else { $facts.Position }))
    $W.WriteAttributeString('aliases', $facts.Aliases)
    Write-Element $W 'maml:name' $Parameter.Name
    Write-Description $W $Description
    if ($Parameter.ValidValues.Count) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($value in $Parameter.ValidValues) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $ns.command, 'false')
            $W.WriteString($value)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    if (-not $Parameter.IsSwitch) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', 'true')
        $W.WriteAttributeString('variableLength', $Parameter.IsArray.ToString().ToLowerInvariant())
        $W.WriteString($Parameter.Type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    Write-Element $W 'maml:name' $Parameter.FullType
    $W.WriteEndElement()
    Write-Element $W 'dev:defaultValue' $(if ($null -ne $Parameter.Default) { $Parameter.Default } else { 'None' })
    $W.WriteEndElement()
}

function Get-SyntaxOrder($Command, $Set) {
    # Positional parameters by position, then mandatory named ones, then the rest, then WhatIf/Confirm.
    $inSet = foreach ($name in $Set.Parameters) {
        $parameter = $Command.Parameters.Where({ $_.Name -eq $name }, 'First')[0]
        $facts = $parameter.Sets.Where({ $_.Name -eq $Set.Name -or $_.Name -eq '__AllParameterSets' }, 'First')[0]
        [pscustomobject]@{ Parameter = $parameter; Set = $facts }
    }
    $inSet = @($inSet)
    $positional = @($inSet.Where({ $_.Set.Position -ge 0 }) | Sort-Object { $_.Set.Position })
    $named = $inSet.Where({ $_.Set.Position -lt 0 -and -not $ShouldProcessParameters.ContainsKey($_.Parameter.Name) })
    $risk = @($inSet.Where({ $_.Parameter.Name -eq 'WhatIf' })) + @($inSet.Where({ $_.Parameter.Name -eq 'Confirm' }))
    @($positional) + @($named.Where({ $_.Set.Mandatory })) + @($named.Where({ -not $_.Set.Mandatory })) + $risk
}

function Get-InputBlocks($Command) {
    # Inputs from the real pipeline bindings: one entry per type taken by value, one for by-property-name binding.
    $entries = [System.Collections.Generic.List[object]]::new()
    foreach ($parameter in $Command.Parameters.Where({ $_.Sets.Where({ $_.ByValue }).Count })) {
        $type = $parameter.FullType -replace '\[\]$', ''
        $entries.Add(@{ Type = $type; Text = "You can pipe $type values to -$($parameter.Name)." })
    }
    $byName = $Command.Parameters.Where({ $_.Sets.Where({ $_.ByProperty }).Count })
    if ($byName.Count) {
        $list = $byName.ForEach({ $names = @($_.Name) + @($_.Aliases); "-$($_.Name) ($($names -join ', '))" }) -join '; '
        $entries.Add(@{ Type = 'System.Management.Automation.PSObject'; Text = "Piped objects bind by property name: a property named like one of these parameters or aliases fills it: $list." })
    }
    if ($entries.Count -eq 0) { $entries.Add(@{ Type = 'None'; Text = 'This cmdlet takes no pipeline input.' }) }
    $entries
}

function Write-Command([System.Xml.XmlWriter] $W, $Command, $Page, [hashtable] $Descriptions) {
    $W.WriteStartElement('command', 'command', $ns.command)
    $W.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $W.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $W.WriteStartElement('command', 'details', $ns.command)
    Write-Element $W 'command:name' $Command.Name
    Write-Element $W 'command:verb' $Command.Verb
    Write-Element $W 'command:noun' $Command.Noun
    Write-Description $W $Page.Synopsis
    $W.WriteEndElement()
    Write-Description $W $Page.Description

    $W.WriteStartElement('command', 'syntax', $ns.command)
    $sets = @($Command.Sets.Where({ $_.IsDefault })) + @($Command.Sets.Where({ -not $_.IsDefault }))
    foreach ($set in $sets) {
        $W.WriteStartElement('command', 'syntaxItem', $ns.command)
        Write-Element $W 'maml:name' $Command.Name
        foreach ($entry in Get-SyntaxOrder $Command $set) {
            Write-Parameter $W $entry.Parameter $Descriptions[$entry.Parameter.Name] $entry.Set
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($parameter in $Command.Parameters | Sort-Object Name) {
        Write-Parameter $W $parameter $Descriptions[$parameter.Name] $null
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'inputTypes', $ns.command)
    foreach ($entry in Get-InputBlocks $Command) {
        $W.WriteStartElement('command', 'inputType', $ns.command)
        $W.WriteStartElement('dev', 'type', $ns.dev); Write-Element $W 'maml:name' $entry.Type; $W.WriteEndElement()
        Write-Description $W @([pscustomobject]@{ Kind = 'text'; Text = $entry.Text })
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'returnValues', $ns.command)
    $outputs = @($Command.OutputTypes.Where({ $_ -ne 'System.Void' }))
    if ($outputs.Count -eq 0) { $outputs = @('None') }
    for ($i = 0; $i -lt $outputs.Count; $i++) {
        $W.WriteStartElement('command', 'returnValue', $ns.command)
        $W.WriteStartElement('dev', 'type', $ns.dev); Write-Element $W 'maml:name' $outputs[$i]; $W.WriteEndElement()
        Write-Description $W $(if ($i -eq 0) { $Page.Outputs } else { @() })
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    if ($Page.Notes.Count) {
        $W.WriteStartElement('maml', 'alertSet', $ns.maml)
        $W.WriteStartElement('maml', 'alert', $ns.maml)
        Write-Paragraphs $W $Page.Notes
        $W.WriteEndElement()
        $W.WriteEndElement()
    }

    $W.WriteStartElement('command', 'examples', $ns.command)
    foreach ($example in $Page.Examples) {
        $W.WriteStartElement('command', 'example', $ns.command)
        Write-Element $W 'maml:title' "--------- $($example.Title) ---------"
        Write-Element $W 'dev:code' $example.Code
        $W.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Paragraphs $W $example.Remarks
        Write-Element $W 'maml:para' '' # a blank line before the next example
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in $Page.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $ns.maml)
        Write-Element $W 'maml:linkText' $link
        Write-Element $W 'maml:uri' ''
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

#endregion

#region Main

$watch = [System.Diagnostics.Stopwatch]::StartNew()
$manifestPath = Join-Path $ModuleDirectory 'TraceCraft.psd1'
foreach ($path in $manifestPath, $DocsDirectory, $XmlDoc) {
    if (-not (Test-Path -LiteralPath $path)) { throw "New-TcHelp: '$path' does not exist." }
}
$problems = [System.Collections.Generic.List[string]]::new()

$exported = @((Import-PowerShellDataFile -LiteralPath $manifestPath).CmdletsToExport)
$functions = @((Import-PowerShellDataFile -LiteralPath $manifestPath).FunctionsToExport)
$probe = Start-CmdletMetadata (Resolve-Path -LiteralPath $manifestPath).ProviderPath
$docs = Read-XmlDoc $XmlDoc

# Pages: one per exported cmdlet, none for anything else.
$pageFiles = @{}
foreach ($file in Get-ChildItem -LiteralPath $DocsDirectory -Filter '*.md' -File) { $pageFiles[$file.BaseName] = $file.FullName }
foreach ($name in $pageFiles.Keys) {
    if ($exported -notcontains $name) { $problems.Add("docs: $name.md documents no cmdlet the manifest exports: remove or rename it.") }
}
$known = @($exported) + @($functions) + @('about_TraceCraft')
$pages = @{}
foreach ($name in $exported) {
    if (-not $pageFiles.ContainsKey($name)) { $problems.Add("docs: the cmdlet $name has no page: write $name.md in $DocsDirectory."); continue }
    $raw = Read-HelpPage $pageFiles[$name]
    $problems.AddRange($raw.Problems)
    if ($raw.Name -ne $name) { $problems.Add("docs: $name.md is titled '# $($raw.Name)', not '# $name'.") }
    foreach ($section in $RequiredSections) {
        if (-not $raw.Sections.Contains($section)) { $problems.Add("docs: $name.md has no '## $section' section.") }
    }
    $page = @{ Synopsis = @(); Description = @(); Outputs = @(); Notes = @(); Examples = @(); Links = @() }
    try {
        foreach ($key in 'Synopsis', 'Description', 'Outputs', 'Notes') {
            if ($raw.Sections.Contains($key)) { $page[$key] = ConvertTo-Block $raw.Sections[$key] }
        }
        foreach ($key in 'Synopsis', 'Description') {
            if ($raw.Sections.Contains($key) -and $page[$key].Where({ $_.Kind -eq 'text' }).Count -eq 0) { $problems.Add("docs: $name.md has an empty '## $key' section.") }
        }
        if ($raw.Sections.Contains('Examples') -and $raw.Sections['Examples'].Where({ $_.Trim() }).Count) {
            $problems.Add("docs: $name.md has text under '## Examples' before the first '### Example'.")
        }
        $page.Examples = @(foreach ($example in $raw.Examples) {
            $blocks = ConvertTo-Block $example.Lines
            $code = foreach ($block in $blocks) { if ($block.Kind -eq 'code') { $block; break } }
            $remarks = @($blocks.Where({ -not [object]::ReferenceEquals($_, $code) }))
            if (-not $code) { $problems.Add("docs: $name.md, '$($example.Title)' has no code block.") }
            if (-not $remarks.Where({ $_.Kind -eq 'text' }).Count) { $problems.Add("docs: $name.md, '$($example.Title)' has no sentence explaining it.") }
            @{ Title = $example.Title; Code = $(if ($code) { $code.Text } else { '' }); Remarks = $remarks }
        })
        if ($page.Examples.Count -eq 0) { $problems.Add("docs: $name.md has no example.") }
        if ($raw.Sections.Contains('Related Links')) {
            $page.Links = @($raw.Sections['Related Links'].Where({ $_.Trim() }).ForEach({ ConvertFrom-Inline ($_ -replace '^\s*[-*]\s+', '').Trim() }))
            foreach ($link in $page.Links) {
                if ($link -match '^(\w+-Tc\w+|\w+-TraceCraft|about_TraceCraft\w*)$' -and $known -notcontains $link) {
                    $problems.Add("docs: $name.md links to '$link', which the module does not have.")
                }
            }
        }
    }
    catch {
        $problems.Add("docs: $name.md cannot be read: $($_.Exception.Message)")
    }
    $pages[$name] = $page
}

$byName = @{}
foreach ($command in Receive-CmdletMetadata $probe) { $byName[$command.Name] = $command }
foreach ($name in $exported) {
    if (-not $byName.ContainsKey($name)) { $problems.Add("TraceCraft.psd1 exports the cmdlet $name, but the module has no such cmdlet.") }
}

# Parameter descriptions: the XML doc summary of the property that declares each parameter.
$descriptions = @{}
foreach ($name in $exported) {
    if (-not $byName.ContainsKey($name)) { continue }
    $map = @{}
    foreach ($parameter in $byName[$name].Parameters) {
        $text = if ($ShouldProcessParameters.ContainsKey($parameter.Name) -and -not $parameter.DeclaringType) { $ShouldProcessParameters[$parameter.Name] }
        elseif ($parameter.DeclaringType) { $docs["$($parameter.DeclaringType).$($parameter.Name)"] }
        if (-not $text) {
            $problems.Add("code: $name -$($parameter.Name) has no description: give the property $($parameter.DeclaringType).$($parameter.Name) a /// <summary>.")
            continue
        }
        $blocks = @([pscustomobject]@{ Kind = 'text'; Text = $text })
        if ($parameter.ValidValues.Count) { $blocks += [pscustomobject]@{ Kind = 'text'; Text = "Accepted values: $($parameter.ValidValues -join ', ')." } }
        if ($parameter.Range.Count) {
            $unbounded = $parameter.Range[1] -in [string][int]::MaxValue, [string][long]::MaxValue
            $range = if ($unbounded) { "$($parameter.Range[0]) or more" } else { "$($parameter.Range[0]) to $($parameter.Range[1])" }
            $blocks += [pscustomobject]@{ Kind = 'text'; Text = "Accepted range: $range." }
        }
        $map[$parameter.Name] = $blocks
    }
    $descriptions[$name] = $map
}

if ($problems.Count) {
    foreach ($problem in $problems) { Write-Host "  $problem" -ForegroundColor Red }
    throw "The cmdlet help cannot be generated: $($problems.Count) problem$(if ($problems.Count -ne 1) { 's' }), listed above."
}

$helpFolder = New-Item -ItemType Directory -Force (Join-Path $ModuleDirectory 'en-US')
$target = Join-Path $helpFolder.FullName 'TraceCraft.PowerShell.dll-Help.xml'
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create($target, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($name in $exported | Sort-Object) {
        Write-Command $writer $byName[$name] $pages[$name] $descriptions[$name]
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
Write-Host "Help for $($exported.Count) cmdlets written to $target ($([int]$watch.Elapsed.TotalMilliseconds) ms)" -ForegroundColor Green

#endregion
