package template

import (
	htmltemplate "html/template"
	"slices"
	texttemplate "text/template"
	"text/template/parse"
)

// discountFields are the Data fields whose use marks a template
// promotional.
var discountFields = []string{"DiscountCode", "Discount"}

// treeLookup finds a named template's parse tree in one template set.
type treeLookup func(name string) *parse.Tree

func htmlTrees(t *htmltemplate.Template) treeLookup {
	return func(name string) *parse.Tree {
		if x := t.Lookup(name); x != nil {
			return x.Tree
		}
		return nil
	}
}

func textTrees(t *texttemplate.Template) treeLookup {
	return func(name string) *parse.Tree {
		if x := t.Lookup(name); x != nil {
			return x.Tree
		}
		return nil
	}
}

// promotional reports whether any of roots, or a template they call, calls
// promo or reads .DiscountCode or .Discount.
func promotional(lookup treeLookup, roots ...string) bool {
	seen := map[string]bool{}
	var visitTemplate func(name string) bool
	var visit func(n parse.Node) bool
	visitTemplate = func(name string) bool {
		if seen[name] {
			return false
		}
		seen[name] = true
		t := lookup(name)
		return t != nil && t.Root != nil && visit(t.Root)
	}
	visit = func(n parse.Node) bool {
		switch x := n.(type) {
		case nil:
			return false
		case *parse.ListNode:
			if x == nil {
				return false
			}
			return slices.ContainsFunc(x.Nodes, visit)
		case *parse.ActionNode:
			return visit(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return false
			}
			for _, c := range x.Cmds {
				if visit(c) {
					return true
				}
			}
		case *parse.CommandNode:
			return slices.ContainsFunc(x.Args, visit)
		case *parse.IfNode:
			return visitBranch(&x.BranchNode, visit)
		case *parse.RangeNode:
			return visitBranch(&x.BranchNode, visit)
		case *parse.WithNode:
			return visitBranch(&x.BranchNode, visit)
		case *parse.TemplateNode:
			return visit(x.Pipe) || visitTemplate(x.Name)
		case *parse.IdentifierNode:
			return x.Ident == promoFunc
		case *parse.FieldNode:
			return hasDiscount(x.Ident)
		case *parse.VariableNode:
			return hasDiscount(x.Ident)
		case *parse.ChainNode:
			return visit(x.Node) || hasDiscount(x.Field)
		}
		return false
	}
	return slices.ContainsFunc(roots, visitTemplate)
}

func visitBranch(b *parse.BranchNode, visit func(parse.Node) bool) bool {
	return visit(b.Pipe) || visit(b.List) || (b.ElseList != nil && visit(b.ElseList))
}

func hasDiscount(idents []string) bool {
	return slices.ContainsFunc(idents, func(id string) bool { return slices.Contains(discountFields, id) })
}
