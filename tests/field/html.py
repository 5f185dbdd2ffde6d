"""A small HTML tree for reading pages the way a browser without JavaScript (or a screen reader)
does: find elements, their accessible names, and the fields a form would post."""

from html.parser import HTMLParser

VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Inputs a person never types into or ticks: they need no label.
UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})


class Element:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def text(self) -> str:
        """The element's text, whitespace collapsed."""
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list["Element"]:
        """Descendants with this tag and these attribute values (`class_` for `class`)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs) -> "Element | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, **attrs) -> "Element":
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {found}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value if value is not None else "" for name, value in attrs})
        element.parent = self.current
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def label_of(page: Element, control: Element) -> str | None:
    """The text of the <label> naming a form control: by `for=id`, else the wrapping label."""
    control_id = control.get("id")
    if control_id:
        labels = page.find_all("label", for_=control_id)
        if labels:
            return labels[0].text
    for ancestor in control.ancestors():
        if ancestor.tag == "label":
            return ancestor.text
    return None


def accessible_name(page: Element, element: Element) -> str:
    if element.get("aria-label"):
        return element["aria-label"]
    if element.tag in ("input", "select", "textarea"):
        return label_of(page, element) or ""
    return element.text


def form_fields(form: Element) -> dict[str, list[str]]:
    """What a browser posts for this form untouched: values, ticked boxes, selected options."""
    data: dict[str, list[str]] = {}
    for control in form.iter():
        name = control.get("name")
        if not name or "disabled" in control.attrs:
            continue
        if control.tag == "input":
            kind = control.get("type", "text")
            if kind in ("submit", "button", "reset", "image"):
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in control.attrs:
                    data.setdefault(name, []).append(control.get("value", "on"))
                continue
            data.setdefault(name, []).append(control.get("value", ""))
        elif control.tag == "select":
            options = control.find_all("option")
            chosen = [option for option in options if "selected" in option.attrs] or options[:1]
            data.setdefault(name, []).extend(option.get("value", option.text) for option in chosen)
        elif control.tag == "textarea":
            data.setdefault(name, []).append(control.text)
    return data
