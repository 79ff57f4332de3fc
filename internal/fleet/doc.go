// Package fleet loads a fleet repository: the fleet defaults in
// bases/daskhub/fleet.yaml and every site in clusters/<site>/site.yaml.
// It validates every file and the rules that span sites (unique names and
// hosts), reporting every problem at once.
package fleet
