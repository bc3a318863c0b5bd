# Agents in git worktrees of one repository share one folder store with no -Path: Initialize-TcProject -Backend folder
# in the main checkout and in worktrees made by `git worktree add` (real git) lands in <main>/.git/tracecraft-store.

Describe 'Initialize-TcProject -Backend folder in git worktrees' -Tag 'Worktrees', 'folder' {
    BeforeAll {
        $environment = $null; $root = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $project = New-TcTestName 'worktree'
        $root = (New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) (New-TcTestName 'worktree-root'))).FullName
        $main = (New-Item -ItemType Directory (Join-Path $root 'main')).FullName
        function Invoke-Git([string] $Folder) {
            $output = & git -C $Folder @args 2>&1
            if ($LASTEXITCODE -ne 0) { throw "git $args failed in ${Folder}: $output" }
        }
        Invoke-Git $main init -q
        Set-Content (Join-Path $main 'README') 'hello'
        Invoke-Git $main add README
        Invoke-Git $main -c user.name=test -c user.email=test@example.com commit -q -m first
        $store = Join-Path $main '.git/tracecraft-store'

        Set-Location $main
        $lead = Initialize-TcProject -Project $project -Agent lead -Backend folder -ErrorAction Stop
        $wt1 = Join-Path $root 'wt1'; $wt2 = Join-Path $root 'wt2'
        Invoke-Git $main worktree add -q $wt1
        Invoke-Git $main worktree add -q $wt2
        Set-Location $wt1
        $coder1 = Initialize-TcProject -Project $project -Agent coder1 -Backend folder -ErrorAction Stop
        Set-Location $wt2
        $coder2 = Initialize-TcProject -Project $project -Agent coder2 -Backend folder -ErrorAction Stop
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        if ($root) { Remove-Item -Recurse -Force $root -ErrorAction Ignore }
    }

    It 'puts every agent in the store in the main checkout''s .git' {
        foreach ($context in $lead, $coder1, $coder2) { $context.Location | Should -Be "folder $store" }
        foreach ($folder in $main, $wt1, $wt2) { Join-Path $folder '.tracecraft-store' | Should -Not -Exist }
        Set-Location $wt2
        (Get-TcAgent).Id | Sort-Object | Should -Be @('coder1', 'coder2', 'lead')
    }

    It 'a claim in one worktree is a claim for the others' {
        Set-Location $wt1
        (Request-TcStep -Id build).Agent | Should -Be 'coder1'
        Set-Location $wt2
        { Request-TcStep -Id build -ErrorAction Stop } | Should -Throw -ErrorId 'StepAlreadyClaimed*'
        Set-Location $main
        (Get-TcStep -Id build).Agent | Should -Be 'coder1'
    }

    It 'a message sent from one worktree arrives in another' {
        Set-Location $wt1
        Send-TcMessage -To coder2 -Text 'tests are green' | Out-Null
        Set-Location $wt2
        (Get-TcInbox).Text | Should -Be 'tests are green'
    }
}
