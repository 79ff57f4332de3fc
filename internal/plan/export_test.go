package plan

// The tests of the diff engine call it directly, on synthetic states.

type Options = buildOptions

func DefaultOptions() Options { return Options{Context: 3} }

var Build = build

var HubVolumes = hubVolumes
