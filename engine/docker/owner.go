package docker

import (
	"strconv"

	"github.com/coop-cloud/chaosrun/procid"
)

// ownerKeys are the labels that say which run, and which process, created
// an object.
var ownerKeys = []string{RunLabel, OwnerHostLabel, OwnerPIDLabel, OwnerStartLabel}

// ownerLabels are the run and owner labels of what run, in process owner,
// creates (an empty value is left out).
func ownerLabels(run string, owner procid.ID) map[string]string {
	out := map[string]string{RunLabel: run, OwnerHostLabel: owner.Host, OwnerPIDLabel: strconv.Itoa(owner.PID)}
	if owner.Host == "" {
		delete(out, OwnerHostLabel)
	}
	if owner.Start != "" {
		out[OwnerStartLabel] = owner.Start
	}
	return out
}

// ownerOf reads the owner labels of an object: the zero ID when there is
// no pid, or it is not a positive number.
func ownerOf(labels map[string]string) procid.ID {
	pid, err := strconv.Atoi(labels[OwnerPIDLabel])
	if err != nil || pid <= 0 {
		return procid.ID{}
	}
	return procid.ID{Host: labels[OwnerHostLabel], PID: pid, Start: labels[OwnerStartLabel]}
}
