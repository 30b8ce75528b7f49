package recipe

import (
	"fmt"
	"strconv"

	composetypes "github.com/docker/cli/cli/compose/types"
)

// AppService is the compose service abra stamps its labels on [D: the loop
// checks service.Name == "app"].
const AppService = "app"

// LabelKey is abra's label key coop-cloud.<stack>.<name>.
func LabelKey(stack, name string) string {
	return fmt.Sprintf("coop-cloud.%s.%s", stack, name)
}

// DirtyError is abra's refusal to deploy a dirty checkout without --chaos
// [V: "has locally unstaged changes"; the full text is [M]]. Path is the
// checkout's path (Repo.Shown: callers may set a name without temp paths).
type DirtyError struct {
	Recipe string
	Path   string
}

func (e *DirtyError) Error() string {
	return fmt.Sprintf("%s (%s) has locally unstaged changes? please commit/remove your changes before proceeding", echoRaw(e.Recipe), e.Path)
}

// StampLabels sets abra's deploy labels on the app service's deploy labels,
// which become the swarm service spec labels, as `abra app deploy` does
// [D: SetRecipeLabel, SetChaosLabel, SetChaosVersionLabel, SetVersionLabel]:
//
//   - coop-cloud.<stack>.recipe = the recipe name
//   - coop-cloud.<stack>.chaos = "true" or "false" (strconv.FormatBool [M])
//   - coop-cloud.<stack>.chaos-version = the chaos version, only when chaos [V]
//   - coop-cloud.<stack>.version = on chaos the value the recipe's own
//     compose declares there (abra's "keep non-chaos version labelling" [D],
//     seen as 0.9.0+3.5.0 next to chaos-version 7ae7b0f7+U [V]); "" when the
//     recipe declares none [D-derived]. Otherwise version, the deploy version.
//
// Other services are left alone. version is the chaos version when chaos.
func StampLabels(cfg *composetypes.Config, stack, recipe string, chaos bool, version string) {
	for i := range cfg.Services {
		svc := &cfg.Services[i]
		if svc.Name != AppService {
			continue
		}
		if svc.Deploy.Labels == nil {
			svc.Deploy.Labels = composetypes.Labels{}
		}
		labels := svc.Deploy.Labels
		versionLabel := version
		if chaos {
			versionLabel = labels[LabelKey(stack, "version")]
			labels[LabelKey(stack, "chaos-version")] = version
		}
		labels[LabelKey(stack, "recipe")] = recipe
		labels[LabelKey(stack, "chaos")] = strconv.FormatBool(chaos)
		labels[LabelKey(stack, "version")] = versionLabel
	}
}

// DeployVersion is the version a deploy stamps. With chaos it is the chaos
// version [V]. Without, it is a tag at HEAD (the last in string order when
// several), else SmallSHA(HEAD); a dirty tree is refused with abra's
// DirtyError. abra itself picks the latest release tag or the .env version
// and checks it out first [D/M]; chaosrun deploys the checkout as it is,
// so the tag at HEAD stands in for the release version.
func (a *App) DeployVersion(chaos bool) (string, error) {
	if chaos {
		return ChaosVersion(a.Repo)
	}
	dirty, err := a.Repo.IsDirty()
	if err != nil {
		return "", err
	}
	if dirty {
		return "", &DirtyError{Recipe: a.RecipeName(), Path: a.Repo.Shown()}
	}
	head, err := a.Repo.Head()
	if err != nil {
		return "", err
	}
	tags, err := a.Repo.TagsAt(head)
	if err != nil {
		return "", err
	}
	if len(tags) > 0 {
		return tags[len(tags)-1], nil
	}
	return SmallSHA(head), nil
}
